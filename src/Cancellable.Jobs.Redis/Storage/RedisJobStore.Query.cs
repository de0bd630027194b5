using System.Globalization;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>Listing and counting: reads that follow the page or the number of groups, never the number of jobs.</summary>
public sealed partial class RedisJobStore
{
    /// <inheritdoc />
    public async ValueTask<JobPage> QueryAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var before = ParseContinuationToken(query.ContinuationToken);
        var db = Database;
        var candidates = await SmallestCandidateSetAsync(db, query).ConfigureAwait(false);
        var items = new List<JobSnapshot>(Math.Min(query.PageSize, 64));
        var hasMore = false;
        var batch = Math.Clamp(query.PageSize + 1, 16, 1_000);
        while (candidates is { } key && !hasMore)
        {
            var ids = await db.SortedSetRangeByScoreWithScoresAsync(key, double.NegativeInfinity, before, Exclude.Stop, Order.Descending, 0, batch).ConfigureAwait(false);
            if (ids.Length == 0)
            {
                break;
            }

            before = ids[^1].Score;
            var fields = (RedisValue[])(await db.ScriptEvaluateAsync(RedisScripts.GetMany, values: [_prefix, .. ids.Select(e => e.Element)]).ConfigureAwait(false))!;
            for (var i = 0; i < ids.Length; i++)
            {
                if (fields[3 * i].IsNull)
                {
                    continue; // removed since the index was read
                }

                var job = RedisJobCodec.Read(fields[3 * i], fields[(3 * i) + 1], fields[(3 * i) + 2]);
                if (!query.Matches(job))
                {
                    continue;
                }

                if (items.Count == query.PageSize)
                {
                    hasMore = true;
                    break;
                }

                items.Add(job);
            }

            if (ids.Length < batch)
            {
                break;
            }
        }

        var token = hasMore ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return new JobPage(items, token);
    }

    /// <inheritdoc />
    public async ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy, string? keyPrefix, CancellationToken cancellationToken = default)
    {
        var kind = groupBy switch
        {
            JobGrouping.Type => "type",
            JobGrouping.Owner => "owner",
            JobGrouping.Tag => "tag",
            _ => string.Empty,
        };
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisScripts.Statistics, values: [_prefix, kind, keyPrefix ?? string.Empty]).ConfigureAwait(false))!;
        var overall = JobStatusCounts.FromArray(Counts(result, 0));
        var groups = new List<JobGroupStatistics>();
        for (var i = 6; i + 6 < result.Length; i += 7)
        {
            groups.Add(new JobGroupStatistics((string)result[i]!, JobStatusCounts.FromArray(Counts(result, i + 1))));
        }

        groups.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new JobStatistics(overall, groups);

        static int[] Counts(RedisResult[] values, int start)
        {
            var counts = new int[6];
            for (var i = 0; i < 6; i++)
            {
                counts[i] = (int)values[start + i];
            }

            return counts;
        }
    }

    private static double ParseContinuationToken(string? token)
    {
        if (token is null)
        {
            return double.PositiveInfinity;
        }

        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence <= 0)
        {
            throw new ArgumentException($"'{token}' is not a continuation token of this store.", nameof(token));
        }

        return sequence;
    }

    /// <summary>Picks the smallest index that holds every match; null when a named group does not exist.</summary>
    private async Task<RedisKey?> SmallestCandidateSetAsync(IDatabase db, JobFilter filter)
    {
        var keys = new List<RedisKey> { filter.Status is { } status ? $"{_prefix}idx:status:{(int)status}" : _prefix + "idx:all" };
        if (filter.Type is not null)
        {
            keys.Add(_prefix + "idx:type:" + filter.Type);
        }

        if (filter.Owner is not null)
        {
            keys.Add(_prefix + "idx:owner:" + filter.Owner);
        }

        if (filter.Tag is not null)
        {
            keys.Add(_prefix + "idx:tag:" + filter.Tag);
        }

        if (keys.Count == 1)
        {
            return keys[0];
        }

        var sizes = await Task.WhenAll(keys.Select(k => db.SortedSetLengthAsync(k))).ConfigureAwait(false);
        if (sizes.Skip(1).Any(s => s == 0))
        {
            return null;
        }

        var best = 0;
        for (var i = 1; i < sizes.Length; i++)
        {
            if (sizes[i] < sizes[best])
            {
                best = i;
            }
        }

        return keys[best];
    }
}
