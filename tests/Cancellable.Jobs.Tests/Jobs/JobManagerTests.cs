using System.ComponentModel.DataAnnotations;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Jobs;

/// <summary>
/// Tests of <see cref="JobManager"/>, split by concern into partial files. Hosts that are built but not started keep
/// every job pending, which makes pending-job behaviour deterministic.
/// </summary>
public sealed partial class JobManagerTests
{
    public const string OrderType = "order";

    public sealed class OrderInput : IValidatableObject
    {
        [Required]
        public string? Name { get; init; }

        [Range(1, 10)]
        public int Count { get; init; } = 1;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Name == "forbidden")
            {
                yield return new ValidationResult("The name is forbidden.", [nameof(Name)]);
            }
        }
    }

    public sealed class OrderJob : IJob<OrderInput>
    {
        public Task ExecuteAsync(OrderInput input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Registered scoped, so the manager must resolve it in a scope.</summary>
    public sealed class NoSevensValidator : IJobInputValidator<OrderInput>
    {
        public IEnumerable<ValidationResult> Validate(OrderInput input) =>
            input.Count == 7 ? [new ValidationResult("Seven is not allowed.", [nameof(OrderInput.Count)])] : [];
    }

    private static JobsHost BuildOrderHost(Action<CancellableJobsOptions>? options = null) => JobsHost.Build(
        options,
        jobs => jobs.AddJob<OrderJob, OrderInput>(OrderType),
        services => services.AddScoped<IJobInputValidator<OrderInput>, NoSevensValidator>());

    private static async Task AssertNoJobAsync(JobsHost host) =>
        Assert.Equal(0, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
}
