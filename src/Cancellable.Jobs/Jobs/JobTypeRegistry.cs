namespace Cancellable.Jobs;

/// <summary>
/// The registered job types, by name.
/// </summary>
internal sealed class JobTypeRegistry
{
    private readonly Dictionary<string, JobTypeDescriptor> _byName;

    public JobTypeRegistry(IEnumerable<JobTypeDescriptor> descriptors)
    {
        _byName = new(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            _byName.TryAdd(descriptor.Name, descriptor);
        }

        Names = [.. _byName.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Gets the registered names, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    public JobTypeDescriptor? Find(string name) => _byName.GetValueOrDefault(name);
}
