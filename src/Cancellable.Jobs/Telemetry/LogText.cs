using System.Globalization;
using System.Text;

namespace Cancellable.Jobs.Telemetry;

/// <summary>
/// Makes untrusted text safe inside a log message: a value can then never end the line it is logged on and start a
/// forged one, nor move a terminal's cursor.
/// </summary>
internal static class LogText
{
    /// <summary>
    /// Escapes CR, LF and tab as <c>\r</c>, <c>\n</c>, <c>\t</c>, and every other control character, line separator
    /// and paragraph separator as <c>\uXXXX</c>; other text is returned as it is.
    /// </summary>
    public static string Escape(string value)
    {
        var first = value.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16).Append(value, 0, first);
        foreach (var c in value.AsSpan(first))
        {
            _ = c switch
            {
                '\r' => builder.Append("\\r"),
                '\n' => builder.Append("\\n"),
                '\t' => builder.Append("\\t"),
                _ when IsUnsafe(c) => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i), '\u2028', '\u2029']);
}
