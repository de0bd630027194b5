namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// The Lua scripts that make every write of <see cref="RedisJobStore"/> one atomic step on the server.
/// </summary>
/// <remarks>
/// A job is a hash <c>{prefix}job:{id}</c>: <c>d</c> the snapshot as JSON, <c>v</c> the version, <c>s</c> the
/// sequence, and the indexed fields (<c>st</c> status, <c>t</c> type, <c>o</c> owner, <c>g</c> tags as JSON,
/// <c>e</c>/<c>et</c> expiry in microseconds/ticks, <c>c</c> completion in microseconds) so that a script can move the
/// job between indexes without parsing its JSON. Each write publishes its change on <c>{prefix}changes</c> (see
/// <see cref="RedisJobCodec.ReadChange"/>). A finished job's indexed fields are also kept in the hash
/// <c>{prefix}fin</c>, so that when Redis deleted the record by its time-to-live, the sweep still finds which type, owner
/// and tag indexes and counts hold it. Job ids and group names only ever appear inside key names and members, never in
/// patterns.
/// </remarks>
internal static class RedisScripts
{
    private const string Prelude = """
        local P = ARGV[1]
        local function pad(s) s = tostring(s) return string.rep('0', 16 - #s) .. s end
        local function group(kind, name, id, seq, st, add)
          local idx = P .. 'idx:' .. kind .. ':' .. name
          local stats = P .. 'stats:' .. kind .. ':' .. name
          if add then
            if redis.call('ZADD', idx, seq, id) == 1 then
              redis.call('HINCRBY', stats, st, 1)
              redis.call('ZADD', P .. 'groups:' .. kind, 0, name)
            end
          elseif redis.call('ZREM', idx, id) == 1 then
            if redis.call('EXISTS', idx) == 0 then
              redis.call('DEL', stats)
              redis.call('ZREM', P .. 'groups:' .. kind, name)
            else
              redis.call('HINCRBY', stats, st, -1)
            end
          end
        end
        local function index(id, seq, f, add)
          local function z(key, score, member)
            if add then redis.call('ZADD', key, score, member) else redis.call('ZREM', key, member) end
          end
          local m = pad(seq) .. ':' .. id
          z(P .. 'idx:all', seq, id)
          z(P .. 'idx:status:' .. f.st, seq, id)
          if f.st == '0' then z(P .. 'pending:' .. f.t, seq, id) end
          if not add then redis.call('ZREM', P .. 'claims', id) end
          if f.e then z(P .. 'idx:expiry', f.e, m) end
          if f.c then z(P .. 'idx:completion', f.c, m) end
          if f.e or f.c or tonumber(f.st) >= 3 then
            if add then
              redis.call('HSET', P .. 'fin', id, cjson.encode({ st = f.st, t = f.t, o = f.o, g = f.g }))
            else
              redis.call('HDEL', P .. 'fin', id)
            end
          end
          if f.st == '1' or f.st == '2' then
            if add then redis.call('ZADD', P .. 'leases', 'NX', ARGV[14], id) else redis.call('ZREM', P .. 'leases', id) end
          end
          group('type', f.t, id, seq, f.st, add)
          if f.o then group('owner', f.o, id, seq, f.st, add) end
          for _, tag in ipairs(cjson.decode(f.g)) do group('tag', tag, id, seq, f.st, add) end
        end
        local function stored(key)
          local h = redis.call('HMGET', key, 'v', 's', 'st', 't', 'o', 'g', 'e', 'et', 'c', 'd', 'r')
          if not h[1] then return nil end
          return { v = h[1], s = h[2], st = h[3], t = h[4], o = h[5] or nil, g = h[6], e = h[7] or nil, et = h[8] or nil, c = h[9] or nil, d = h[10], r = h[11] or nil }
        end
        local function incoming()
          local o = nil
          if #ARGV[6] > 0 then o = string.sub(ARGV[6], 2) end
          local function opt(x) if x == '' then return nil end return x end
          return { st = ARGV[4], t = ARGV[5], o = o, g = ARGV[7], e = opt(ARGV[8]), et = opt(ARGV[9]), c = opt(ARGV[10]), r = opt(ARGV[13]) }
        end
        local function same(a, b)
          return a.st == b.st and a.t == b.t and a.o == b.o and a.g == b.g and a.e == b.e and a.c == b.c and a.r == b.r
        end
        local function write(key, f)
          redis.call('HSET', key, 'd', ARGV[3], 'st', f.st, 't', f.t, 'g', f.g)
          for _, name in ipairs({ 'o', 'e', 'et', 'c', 'r' }) do
            if f[name] then redis.call('HSET', key, name, f[name]) else redis.call('HDEL', key, name) end
          end
          if ARGV[11] ~= '' then redis.call('PEXPIRE', key, ARGV[11]) else redis.call('PERSIST', key) end
        end
        local function publish(kind, seq, v, data)
          redis.call('PUBLISH', P .. 'changes', kind .. '|' .. seq .. '|' .. v .. '|' .. data)
        end
        local function remove(key, id, f, out)
          index(id, f.s, f, false)
          redis.call('DEL', key)
          publish('R', f.s, f.v, f.d)
          out[#out + 1] = f.s
          out[#out + 1] = f.v
          out[#out + 1] = f.d
        end
        local function forget(m)
          local id = string.sub(m, 18)
          redis.call('ZREM', P .. 'idx:expiry', m)
          redis.call('ZREM', P .. 'idx:completion', m)
          local meta = redis.call('HGET', P .. 'fin', id)
          if meta then
            local f = cjson.decode(meta)
            index(id, tonumber(string.sub(m, 1, 16)), f, false)
            redis.call('HDEL', P .. 'fin', id)
          else
            redis.call('ZREM', P .. 'idx:all', id)
            for s = 0, 5 do redis.call('ZREM', P .. 'idx:status:' .. s, id) end
          end
        end

        """;

    /// <summary>
    /// KEYS: job. ARGV: prefix, id, data, status, type, owner, tags, expiry µs, expiry ticks, completion µs, ttl ms, max
    /// pending, run id, lease deadline ms (used when the job becomes active).
    /// </summary>
    public const string Create = Prelude + """
        if redis.call('ZCARD', P .. 'idx:status:0') >= tonumber(ARGV[12]) then return false end
        if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('EXISTS') end
        local seq = redis.call('INCR', P .. 'seq')
        local f = incoming()
        write(KEYS[1], f)
        redis.call('HSET', KEYS[1], 'v', 1, 's', seq)
        index(ARGV[2], seq, f, true)
        publish('C', seq, 1, ARGV[3])
        return seq
        """;

    /// <summary>KEYS: job. ARGV: as <see cref="Create"/>, with the expected version in place of the bound.</summary>
    public const string Replace = Prelude + """
        local old = stored(KEYS[1])
        if not old or old.v ~= ARGV[12] then return false end
        local f = incoming()
        if not same(old, f) then
          index(ARGV[2], old.s, old, false)
          index(ARGV[2], old.s, f, true)
        end
        write(KEYS[1], f)
        local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
        publish('U' .. old.st, old.s, v, ARGV[3])
        return { old.s, v }
        """;

    /// <summary>KEYS: job. ARGV: prefix, id, expected version.</summary>
    public const string Remove = Prelude + """
        local old = stored(KEYS[1])
        if not old or old.v ~= ARGV[3] then return 0 end
        remove(KEYS[1], ARGV[2], old, {})
        return 1
        """;

    /// <summary>
    /// KEYS: claims. ARGV: prefix, claim timeout ms, type names. Takes the oldest pending job of the types out of their
    /// queues and holds it in the claims set until the claimer's compare-and-swap moves it on; a claim older than the
    /// timeout (its claimer died) goes back to its queue.
    /// </summary>
    public const string Claim = Prelude + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)) do
          redis.call('ZREM', KEYS[1], id)
          local h = redis.call('HMGET', P .. 'job:' .. id, 'st', 't', 's')
          if h[1] == '0' then redis.call('ZADD', P .. 'pending:' .. h[2], h[3], id) end
        end
        local best, bestSeq, bestType
        for i = 3, #ARGV do
          local r = redis.call('ZRANGE', P .. 'pending:' .. ARGV[i], 0, 0, 'WITHSCORES')
          if r[1] and (not bestSeq or tonumber(r[2]) < bestSeq) then best, bestSeq, bestType = r[1], tonumber(r[2]), ARGV[i] end
        end
        if not best then return false end
        redis.call('ZREM', P .. 'pending:' .. bestType, best)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), best)
        return redis.call('HMGET', P .. 'job:' .. best, 'v', 's', 'd')
        """;

    /// <summary>KEYS: claims. ARGV: prefix, id. Gives back a claim whose compare-and-swap failed.</summary>
    public const string Unclaim = Prelude + """
        if redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then
          local h = redis.call('HMGET', P .. 'job:' .. ARGV[2], 'st', 't', 's')
          if h[1] == '0' then redis.call('ZADD', P .. 'pending:' .. h[2], h[3], ARGV[2]) end
        end
        return 1
        """;

    /// <summary>KEYS: expiry index. ARGV: prefix, now µs, now ticks (19 digits), max count.</summary>
    public const string RemoveExpired = Prelude + """
        local out = {}
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))) do
          local key = P .. 'job:' .. string.sub(m, 18)
          local f = stored(key)
          if not f then forget(m)
          elseif f.et and f.et <= ARGV[3] then remove(key, string.sub(m, 18), f, out) end
        end
        return out
        """;

    /// <summary>KEYS: completion index. ARGV: prefix, how many finished jobs to keep.</summary>
    public const string TrimFinished = Prelude + """
        local out = {}
        local n = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
        if n <= 0 then return out end
        for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, n - 1)) do
          local key = P .. 'job:' .. string.sub(m, 18)
          local f = stored(key)
          if not f then forget(m) else remove(key, string.sub(m, 18), f, out) end
        end
        return out
        """;

    /// <summary>KEYS: expiry index. ARGV: prefix. Returns the soonest expiry in ticks, or in µs when its record is gone.</summary>
    public const string NextExpiry = """
        local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        if not r[1] then return false end
        local et = redis.call('HGET', ARGV[1] .. 'job:' .. string.sub(r[1], 18), 'et')
        if et then return { 't', et } end
        return { 'u', r[2] }
        """;

    /// <summary>KEYS: none. ARGV: prefix, group kind or empty, group key prefix or empty. Counts never scan jobs.</summary>
    public const string Statistics = """
        local P = ARGV[1]
        local out = {}
        for s = 0, 5 do out[#out + 1] = redis.call('ZCARD', P .. 'idx:status:' .. s) end
        if ARGV[2] ~= '' then
          local min, max = '-', '+'
          if ARGV[3] ~= '' then min = '[' .. ARGV[3]; max = '[' .. ARGV[3] .. '\255' end
          for _, name in ipairs(redis.call('ZRANGEBYLEX', P .. 'groups:' .. ARGV[2], min, max)) do
            local c = redis.call('HMGET', P .. 'stats:' .. ARGV[2] .. ':' .. name, '0', '1', '2', '3', '4', '5')
            out[#out + 1] = name
            for i = 1, 6 do out[#out + 1] = tonumber(c[i]) or 0 end
          end
        end
        return out
        """;

    /// <summary>KEYS: none. ARGV: prefix, ids. Returns version, sequence and data per id (nil when gone).</summary>
    public const string GetMany = """
        local out = {}
        for i = 2, #ARGV do
          local h = redis.call('HMGET', ARGV[1] .. 'job:' .. ARGV[i], 'v', 's', 'd')
          out[#out + 1] = h[1]
          out[#out + 1] = h[2]
          out[#out + 1] = h[3]
        end
        return out
        """;

    /// <summary>
    /// KEYS: leases. ARGV: prefix, new deadline ms, then pairs of job id and run id. Extends the leases this instance still
    /// holds; returns the ids it no longer holds (the job ended, or another run owns it).
    /// </summary>
    public const string RenewLeases = """
        local lost = {}
        for i = 3, #ARGV, 2 do
          local h = redis.call('HMGET', ARGV[1] .. 'job:' .. ARGV[i], 'r', 'st')
          if h[1] == ARGV[i + 1] and (h[2] == '1' or h[2] == '2') then
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
          else
            lost[#lost + 1] = ARGV[i]
          end
        end
        return lost
        """;

    /// <summary>
    /// KEYS: leases. ARGV: now ms, retry deadline ms, max count. Returns the jobs whose lease lapsed, pushing each one's
    /// deadline to the retry deadline so that, if this instance dies before marking them, another one will.
    /// </summary>
    public const string TakeLapsedLeases = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
        for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
        return ids
        """;
}
