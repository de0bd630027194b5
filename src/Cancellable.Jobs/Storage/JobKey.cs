namespace Cancellable.Jobs.Storage;

/// <summary>
/// A job id as <see cref="JobIdTable"/> keys it: an id of 32 lowercase hex digits (what the job manager issues) as two
/// 64-bit numbers, so that a finished job need not keep the 88-byte string; any other id as its text.
/// </summary>
internal readonly struct JobKey
{
    private const int HexLength = 32;

    private JobKey(ulong high, ulong low, string? text)
    {
        High = high;
        Low = low;
        Text = text;
        IsHex = true;
        Hash = HashCode.Combine(high, low);
    }

    private JobKey(string text)
    {
        Text = text;
        Hash = StringComparer.Ordinal.GetHashCode(text);
    }

    /// <summary>Gets the id's first 16 hex digits, when <see cref="IsHex"/>.</summary>
    public ulong High { get; }

    /// <summary>Gets the id's last 16 hex digits, when <see cref="IsHex"/>.</summary>
    public ulong Low { get; }

    /// <summary>Gets the id's text: always for an id that is not hex, and for a hex id read from a string.</summary>
    public string? Text { get; }

    /// <summary>Gets a value indicating whether the id is 32 lowercase hex digits.</summary>
    public bool IsHex { get; }

    /// <summary>Gets the hash, the same for equal ids whichever way the key was made.</summary>
    public int Hash { get; }

    /// <summary>Makes the key of an id.</summary>
    public static JobKey From(string id) => TryParseHex(id, out var high, out var low) ? new JobKey(high, low, id) : new JobKey(id);

    /// <summary>Makes the key of a hex id from its numbers.</summary>
    public static JobKey FromHex(ulong high, ulong low) => new(high, low, text: null);

    /// <summary>Parses an id of exactly 32 lowercase hex digits; uppercase digits would not format back to the same id.</summary>
    public static bool TryParseHex(string id, out ulong high, out ulong low)
    {
        high = low = 0;
        return id.Length == HexLength && TryParseHalf(id.AsSpan(0, HexLength / 2), out high) && TryParseHalf(id.AsSpan(HexLength / 2), out low);

        // Without a branch per digit: ids are random, so a branch on the digit's kind would mispredict half the time.
        static bool TryParseHalf(ReadOnlySpan<char> digits, out ulong value)
        {
            value = 0;
            var invalid = 0u;
            var table = HexDigits;
            foreach (var c in digits)
            {
                uint digit = table[c & 0x7F];
                invalid |= digit | (c & ~0x7Fu);
                value = (value << 4) | (digit & 0xF);
            }

            return (invalid & ~0xFu) == 0;
        }
    }

    // The value of each ASCII character as a lowercase hex digit, or 0xFF.
    private static ReadOnlySpan<byte> HexDigits =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>Formats the numbers of a hex id back into the id.</summary>
    public static string FormatHex(ulong high, ulong low) => string.Create(HexLength, (high, low), static (chars, value) =>
    {
        for (var i = 0; i < HexLength / 2; i++)
        {
            chars[i] = Digit(value.high >> (60 - (4 * i)));
            chars[i + (HexLength / 2)] = Digit(value.low >> (60 - (4 * i)));
        }

        static char Digit(ulong nibble) => "0123456789abcdef"[(int)(nibble & 0xF)];
    });

    /// <summary>Tells whether <paramref name="id"/> is this key's id.</summary>
    public bool Matches(string id)
    {
        if (Text is not null)
        {
            return string.Equals(Text, id, StringComparison.Ordinal);
        }

        return TryParseHex(id, out var high, out var low) && high == High && low == Low;
    }
}
