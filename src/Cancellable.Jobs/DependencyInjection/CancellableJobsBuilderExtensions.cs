using System.Diagnostics.CodeAnalysis;
using Cancellable.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers job types and stores on an <see cref="ICancellableJobsBuilder"/>.
/// </summary>
public static partial class CancellableJobsBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TJob"/> under <paramref name="name"/>, finding its input and result types from the
    /// <see cref="IJob{TInput}"/> or <see cref="IJob{TInput, TResult}"/> it implements. Registering the same job again is
    /// harmless.
    /// </summary>
    /// <typeparam name="TJob">The job class; resolved in a scope of its own for each run.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The job type name, such as <c>removal_workflow</c>: letters, digits, <c>_ - . :</c>, at most 100 characters.</param>
    /// <param name="configure">Configures the type's <see cref="JobTypeOptions"/>, such as <see cref="JobTypeOptions.RequeueWhenStale"/>; registering again adds to them. They are validated when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid, already names another job, or <typeparamref name="TJob"/> implements no single job interface.</exception>
    /// <remarks>In trimmed or native AOT apps use <see cref="AddJob{TJob, TInput}"/> or <see cref="AddJob{TJob, TInput, TResult}"/>.</remarks>
    [RequiresDynamicCode("Builds the job's descriptor for input and result types found by reflection. Use AddJob<TJob, TInput> or AddJob<TJob, TInput, TResult> in native AOT apps.")]
    [RequiresUnreferencedCode("The input type's properties are validated by reflection. Use AddJob<TJob, TInput> or AddJob<TJob, TInput, TResult> in trimmed apps.")]
    public static ICancellableJobsBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces | DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(this ICancellableJobsBuilder builder, string name, Action<JobTypeOptions>? configure = null)
        where TJob : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var interfaces = typeof(TJob).GetInterfaces()
            .Where(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IJob<>) || i.GetGenericTypeDefinition() == typeof(IJob<,>)))
            .ToArray();
        if (interfaces.Length != 1)
        {
            throw new ArgumentException($"{typeof(TJob).Name} must implement exactly one of IJob<TInput> and IJob<TInput, TResult>; it implements {interfaces.Length}.", nameof(TJob));
        }

        var arguments = interfaces[0].GetGenericArguments();
        var descriptorType = arguments.Length == 1
            ? typeof(JobTypeDescriptor<,>).MakeGenericType(typeof(TJob), arguments[0])
            : typeof(JobTypeDescriptor<,,>).MakeGenericType(typeof(TJob), arguments[0], arguments[1]);
        return builder.AddJob<TJob>(name, () => (JobTypeDescriptor)Activator.CreateInstance(descriptorType, name)!, configure);
    }

    /// <summary>
    /// Registers <typeparamref name="TJob"/>, a job without a result, under <paramref name="name"/>. Registering the same
    /// job again is harmless.
    /// </summary>
    /// <typeparam name="TJob">The job class; resolved in a scope of its own for each run.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The job type name: letters, digits, <c>_ - . :</c>, at most 100 characters.</param>
    /// <param name="configure">Configures the type's <see cref="JobTypeOptions"/>, such as <see cref="JobTypeOptions.RequeueWhenStale"/>; registering again adds to them. They are validated when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already names another job.</exception>
    public static ICancellableJobsBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TInput>(this ICancellableJobsBuilder builder, string name, Action<JobTypeOptions>? configure = null)
        where TJob : class, IJob<TInput>
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddJob<TJob>(name, () => new JobTypeDescriptor<TJob, TInput>(name), configure);
    }

    /// <summary>
    /// Registers <typeparamref name="TJob"/>, a job with a result, under <paramref name="name"/>. Registering the same job
    /// again is harmless.
    /// </summary>
    /// <typeparam name="TJob">The job class; resolved in a scope of its own for each run.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TResult">The job's result type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The job type name: letters, digits, <c>_ - . :</c>, at most 100 characters.</param>
    /// <param name="configure">Configures the type's <see cref="JobTypeOptions"/>, such as <see cref="JobTypeOptions.RequeueWhenStale"/>; registering again adds to them. They are validated when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already names another job.</exception>
    public static ICancellableJobsBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TInput, TResult>(this ICancellableJobsBuilder builder, string name, Action<JobTypeOptions>? configure = null)
        where TJob : class, IJob<TInput, TResult>
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddJob<TJob>(name, () => new JobTypeDescriptor<TJob, TInput, TResult>(name), configure);
    }

    private static ICancellableJobsBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(this ICancellableJobsBuilder builder, string name, Func<JobTypeDescriptor> create, Action<JobTypeOptions>? configure)
        where TJob : class
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid job type name: use 1 to 100 letters, digits and _ - . : characters.", nameof(name));
        }

        var descriptor = create();
        var existing = builder.Services
            .Where(s => s.ServiceType == typeof(JobTypeDescriptor) && s.ImplementationInstance is JobTypeDescriptor d && d.Name == name)
            .Select(s => (JobTypeDescriptor)s.ImplementationInstance!)
            .FirstOrDefault();
        if (existing is not null && !existing.SameRegistrationAs(descriptor))
        {
            throw new ArgumentException($"The job type name '{name}' is already registered for {existing.JobClass.Name}.", nameof(name));
        }

        if (existing is null)
        {
            builder.Services.AddSingleton(descriptor);
            builder.Services.TryAddTransient<TJob>();
            builder.Services.AddOptions<JobTypeOptions>(name).ValidateOnStart(); // however the type's options are set
        }

        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        return builder;
    }

    private static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':');
}
