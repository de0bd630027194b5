using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs;

/// <summary>
/// What the runner and the manager know of one registered job type: its name, its CLR types, how to validate and
/// (de)serialize its input and how to run it.
/// </summary>
internal abstract class JobTypeDescriptor(string name, Type jobClass, Type inputType, Type? resultType)
{
    public string Name { get; } = name;

    public Type JobClass { get; } = jobClass;

    public Type InputType { get; } = inputType;

    public Type? ResultType { get; } = resultType;

    /// <summary>Validates a typed input and returns it as UTF-8 JSON; throws <see cref="JobValidationException"/>.</summary>
    public abstract byte[] PrepareInput<T>(T input, IServiceProvider services, JsonSerializerOptions options);

    /// <summary>Reads, validates and normalizes a JSON input into UTF-8 JSON; throws <see cref="JobValidationException"/>.</summary>
    public abstract byte[] PrepareInput(JsonElement input, IServiceProvider services, JsonSerializerOptions options);

    /// <summary>
    /// Runs the job in <paramref name="services"/>' scope, reading its input from the UTF-8 JSON the snapshot keeps, and
    /// returns its result as UTF-8 JSON, if it has one.
    /// </summary>
    public abstract Task<byte[]?> RunAsync(IServiceProvider services, byte[]? input, JobContext context, JsonSerializerOptions options, CancellationToken cancellationToken);

    public bool SameRegistrationAs(JobTypeDescriptor other) => JobClass == other.JobClass && InputType == other.InputType && ResultType == other.ResultType;
}

internal abstract class JobTypeDescriptor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TInput>(string name, Type jobClass, Type? resultType)
    : JobTypeDescriptor(name, jobClass, typeof(TInput), resultType)
{
    private int _hasInputValidators = -1;

    public override byte[] PrepareInput<T>(T input, IServiceProvider services, JsonSerializerOptions options)
    {
        if (input is not TInput typed)
        {
            throw Invalid("input", input is null
                ? "The input is required."
                : $"The job type '{Name}' takes an input of type {typeof(TInput).Name}, not {input.GetType().Name}.");
        }

        Validate(typed, services);
        return JobJson.SerializeToUtf8(typed, options);
    }

    public override byte[] PrepareInput(JsonElement input, IServiceProvider services, JsonSerializerOptions options)
    {
        TInput? typed;
        try
        {
            typed = input.Deserialize(JobJson.GetTypeInfo<TInput>(options));
        }
        catch (JsonException ex)
        {
            throw Invalid(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "input" : ex.Path.TrimStart('$', '.'), $"The input is not valid JSON for {typeof(TInput).Name}: {ex.Message}");
        }

        if (typed is null)
        {
            throw Invalid("input", "The input is required.");
        }

        Validate(typed, services);
        return JobJson.SerializeToUtf8(typed, options);
    }

    /// <summary>The error of a job whose <c>ExecuteAsync</c> returned no task: without one, nothing tells when it ends.</summary>
    protected InvalidOperationException NullTask() =>
        new($"{JobClass.Name}.ExecuteAsync returned null instead of a Task; return a Task (such as Task.CompletedTask), or make the method async.");

    protected static TInput ReadInput(byte[]? input, JsonSerializerOptions options) =>
        input is null ? default! : JobJson.Deserialize<TInput>(input, options)!;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "TInput's public properties are preserved by DynamicallyAccessedMembers on every registration path.")]
    private void Validate(TInput input, IServiceProvider services)
    {
        if (!HasDataAnnotations && !HasInputValidators(services))
        {
            return; // nothing to check: no list, no scope
        }

        var results = new List<ValidationResult>();
        if (HasDataAnnotations)
        {
            object instance = input!; // boxed once: the validator requires the very instance its context holds
            Validator.TryValidateObject(instance, new ValidationContext(instance, services, items: null), results, validateAllProperties: true);
        }

        if (HasInputValidators(services))
        {
            using var scope = services.CreateScope();
            foreach (var validator in scope.ServiceProvider.GetServices<IJobInputValidator<TInput>>())
            {
                results.AddRange(validator.Validate(input));
            }
        }

        if (results.Count > 0)
        {
            var errors = results
                .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [string.Empty]).Select(m => (Member: m, Message: r.ErrorMessage ?? "The value is invalid.")))
                .GroupBy(e => e.Member, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
            throw new JobValidationException(Name, errors);
        }
    }

    /// <summary>
    /// Gets a value indicating whether <typeparamref name="TInput"/> declares anything DataAnnotations checks: validation
    /// attributes on the type or its properties, a metadata type, or <see cref="IValidatableObject"/>.
    /// </summary>
    private static bool HasDataAnnotations { get; } =
        typeof(IValidatableObject).IsAssignableFrom(typeof(TInput))
        || typeof(TInput).IsDefined(typeof(ValidationAttribute), inherit: true)
        || typeof(TInput).IsDefined(typeof(MetadataTypeAttribute), inherit: true)
        || typeof(TInput).GetProperties().Any(static p => p.IsDefined(typeof(ValidationAttribute), inherit: true));

    /// <summary>Tells whether the app registered an <see cref="IJobInputValidator{T}"/> for the input, asking the container once.</summary>
    private bool HasInputValidators(IServiceProvider services)
    {
        if (_hasInputValidators < 0)
        {
            _hasInputValidators = services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(IJobInputValidator<TInput>)) ? 0 : 1;
        }

        return _hasInputValidators == 1;
    }

    private JobValidationException Invalid(string member, string message) =>
        new(Name, new Dictionary<string, string[]>(StringComparer.Ordinal) { [member] = [message] });
}

internal sealed class JobTypeDescriptor<TJob, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TInput>(string name)
    : JobTypeDescriptor<TInput>(name, typeof(TJob), resultType: null)
    where TJob : class, IJob<TInput>
{
    public override async Task<byte[]?> RunAsync(IServiceProvider services, byte[]? input, JobContext context, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var job = services.GetRequiredService<TJob>();
        var task = job.ExecuteAsync(ReadInput(input, options), context, cancellationToken) ?? throw NullTask();
        await task.ConfigureAwait(false);
        return null;
    }
}

internal sealed class JobTypeDescriptor<TJob, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TInput, TResult>(string name)
    : JobTypeDescriptor<TInput>(name, typeof(TJob), typeof(TResult))
    where TJob : class, IJob<TInput, TResult>
{
    public override async Task<byte[]?> RunAsync(IServiceProvider services, byte[]? input, JobContext context, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var job = services.GetRequiredService<TJob>();
        var task = job.ExecuteAsync(ReadInput(input, options), context, cancellationToken) ?? throw NullTask();
        var result = await task.ConfigureAwait(false);
        return JobJson.SerializeToUtf8(result, options);
    }
}
