using System.Collections.Concurrent;
using System.Reflection;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

/// <summary>An <see cref="IJobStore"/> that records every job id it is asked about, then asks an in-memory store.</summary>
public class RecordingJobStore : DispatchProxy
{
    private InMemoryJobStore _inner = null!;

    public ConcurrentQueue<string> Ids { get; } = new();

    public static (IJobStore Store, RecordingJobStore Recorder) Create()
    {
        var store = DispatchProxy.Create<IJobStore, RecordingJobStore>();
        var recorder = (RecordingJobStore)(object)store;
        recorder._inner = new InMemoryJobStore();
        return (store, recorder);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        foreach (var arg in args ?? [])
        {
            switch (arg)
            {
                case string id when targetMethod!.GetParameters()[0].Name == "jobId":
                    Ids.Enqueue(id);
                    break;
                case JobSnapshot job:
                    Ids.Enqueue(job.Id);
                    break;
            }
        }

        try
        {
            return targetMethod!.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
