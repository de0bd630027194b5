using System.Security.Cryptography;

namespace Cancellable.Jobs;

/// <summary>
/// Issues job ids: 32 lowercase hexadecimal digits of 128 random bits from the system's cryptographic generator, so an
/// id cannot be guessed from another.
/// </summary>
/// <remarks>
/// The random bytes are drawn 4 KiB at a time per thread: one call to the operating system's generator costs about a
/// microsecond and a half on a virtual machine (as much as the rest of a job's start), while the bytes it returns are
/// as unpredictable in a batch as one by one.
/// </remarks>
internal static class JobIds
{
    private const int IdBytes = 16;
    private const int BatchBytes = 4096;

    [ThreadStatic]
    private static byte[]? t_batch;

    [ThreadStatic]
    private static int t_used;

    public static string New()
    {
        var batch = t_batch;
        if (batch is null || t_used == BatchBytes)
        {
            batch = t_batch ??= new byte[BatchBytes];
            RandomNumberGenerator.Fill(batch);
            t_used = 0;
        }

        var bytes = batch.AsSpan(t_used, IdBytes);
        t_used += IdBytes;
#if NET9_0_OR_GREATER
        var id = Convert.ToHexStringLower(bytes);
#else
        var id = Convert.ToHexString(bytes).ToLowerInvariant();
#endif
        bytes.Clear(); // an issued id's bytes do not stay in memory beside those still to come
        return id;
    }
}
