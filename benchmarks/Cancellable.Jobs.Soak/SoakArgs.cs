using System.Globalization;

namespace Cancellable.Jobs.Soak;

/// <summary>The <c>--name value</c> options of a mode.</summary>
internal sealed class SoakArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static SoakArgs Parse(IEnumerable<string> args)
    {
        var parsed = new SoakArgs();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"Expected '--name value', got '{name}'.");
            }

            parsed._values[name] = e.Current;
        }

        return parsed;
    }

    public long Long(string name, long fallback) => _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int Int(string name, int fallback) => (int)Long(name, fallback);

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string? String(string name) => _values.GetValueOrDefault(name);
}
