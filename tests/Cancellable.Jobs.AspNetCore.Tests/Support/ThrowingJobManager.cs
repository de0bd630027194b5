using System.Reflection;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

/// <summary>An <see cref="IJobManager"/> whose every member throws, to see how the endpoints answer an unexpected error.</summary>
public class ThrowingJobManager : DispatchProxy
{
    public static IJobManager Create() => DispatchProxy.Create<IJobManager, ThrowingJobManager>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException("secret-internal-detail");
}
