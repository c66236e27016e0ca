using System.Globalization;
using StackExchange.Redis;

namespace NeighbourHub.Web.Features.Events;

public enum GateOutcome
{
    /// <summary>No gate (no Redis, not connected, or it failed): take the database path.</summary>
    Unavailable,

    /// <summary>The gate holds nothing for this event yet (or it was dropped): rebuild it from the database.</summary>
    Missing,

    /// <summary>Outside the sign-up window as the gate knows it: the database path says why, in Chinese.</summary>
    Closed,

    /// <summary>The resident cancelled before and comes back: the database path reuses their row.</summary>
    Returning,

    /// <summary>The event is for verified residents only: check eligibility, then ask again.</summary>
    CheckEligibility,

    /// <summary>
    /// A decision handed out here was never recorded (its instance died in between), so the counts may hold a seat
    /// nobody has: drop the state of <see cref="GateDecision.Generation"/> and rebuild it from the database.
    /// </summary>
    Stale,

    /// <summary>A new seat or waiting-list ticket, to be recorded in the database under <see cref="GateDecision.Generation"/>.</summary>
    Admitted,

    /// <summary>The resident already holds what <see cref="GateDecision.Status"/> says.</summary>
    Repeat,
}

/// <param name="DecidedAt">For a new decision, Redis's own clock when it was made: one clock for every instance, in
/// the order the gate admitted, so the times recorded follow the waiting list's order.</param>
public sealed record GateDecision(GateOutcome Outcome, SignupStatus Status = SignupStatus.Confirmed, int? Ticket = null, int? Position = null, int Generation = 0,
    DateTimeOffset? DecidedAt = null);

/// <summary>What the gate is rebuilt from: the event's row and all its sign-ups, read under the event's lock.</summary>
public sealed record GateSnapshot(int Generation, int Capacity, int Confirmed, int WaitlistSeq, DateTimeOffset OpensAt, DateTimeOffset ClosesAt,
    bool VerifiedOnly, IReadOnlyList<(long ResidentId, SignupStatus Status, int? Ticket)> Signups);

/// <summary>
/// The sign-up gate in Redis: one Lua script per decision, so deciding "seat, waiting-list ticket or repeat" is
/// one round trip and atomic across every instance. It only decides; MariaDB records the decision under
/// conditions that reject a wrong one by themselves (see <see cref="EventService"/> and ADR 0011), so the gate
/// may be lost, flushed or stale at any moment and the seats stay exact. The state of an event is four keys that
/// share a hash tag: <c>s</c> (generation, capacity, seats taken, last ticket, window), <c>r</c> (resident →
/// "C" or the ticket), <c>q</c> (the waiting list, scored by ticket) and <c>p</c> (decisions handed out and not yet
/// recorded, scored by when their lease runs out). The generation is the event row's
/// <see cref="CommunityEvent.LockVersion"/> when the state was read; any write that bypasses the gate moves it,
/// so a decision made from older state can never be recorded.
/// </summary>
public sealed class SignupGate
{
    /// <summary>
    /// How long a decision may stay unrecorded before the gate stops trusting its own counts. Recording takes
    /// milliseconds; a decision older than this belonged to an instance that died between deciding and recording,
    /// and its seat (or ticket) exists only here. Rebuilding from the database gives it back.
    /// </summary>
    public static readonly TimeSpan RecordingLease = TimeSpan.FromSeconds(30);

    // KEYS: s, r, q, p. ARGV: resident, now (unix ms), eligibility checked (0/1), now + lease (unix ms).
    private const string AdmitScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
        local gen = tonumber(redis.call('HGET', KEYS[1], 'gen'))
        local held = redis.call('HGET', KEYS[2], ARGV[1])
        if held == 'X' then return {'returning'} end
        if held then
          if held == 'C' then return {'repeat', 'C', 0, 0, gen} end
          local rank = redis.call('ZRANK', KEYS[3], ARGV[1])
          return {'repeat', 'W', tonumber(held), (rank or -1) + 1, gen}
        end
        -- A decision whose lease ran out was never recorded: this state may count a seat nobody holds.
        if #redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[2], 'LIMIT', 0, 1) > 0 then return {'stale', gen} end
        local s = redis.call('HMGET', KEYS[1], 'cap', 'confirmed', 'opens', 'closes', 'verified', 'expires')
        local now = tonumber(ARGV[2])
        if now < tonumber(s[3]) or now >= tonumber(s[4]) then return {'closed'} end
        if s[5] == '1' and ARGV[3] ~= '1' then return {'check'} end
        redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
        if s[6] then redis.call('PEXPIREAT', KEYS[4], s[6]) end
        local t = redis.call('TIME')
        local at = tonumber(t[1]) * 1000000 + tonumber(t[2])
        if tonumber(s[2]) < tonumber(s[1]) then
          redis.call('HINCRBY', KEYS[1], 'confirmed', 1)
          redis.call('HSET', KEYS[2], ARGV[1], 'C')
          return {'new', 'C', 0, 0, gen, at}
        end
        local ticket = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        redis.call('HSET', KEYS[2], ARGV[1], ticket)
        redis.call('ZADD', KEYS[3], ticket, ARGV[1])
        return {'new', 'W', ticket, redis.call('ZRANK', KEYS[3], ARGV[1]) + 1, gen, at}
        """;

    // KEYS: s, r, q, p. ARGV: gen, cap, confirmed, seq, opens, closes, verified, expires (unix ms), then resident/ticket pairs
    // (ticket 0 = confirmed, -1 = cancelled: they come back through the database, which reuses their row). A newer state is never replaced by an older one (two instances rebuilding at once).
    private const string InstallScript = """
        local current = redis.call('HGET', KEYS[1], 'gen')
        if current and tonumber(current) >= tonumber(ARGV[1]) then return 1 end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        redis.call('HSET', KEYS[1], 'gen', ARGV[1], 'cap', ARGV[2], 'confirmed', ARGV[3], 'seq', ARGV[4], 'opens', ARGV[5], 'closes', ARGV[6], 'verified', ARGV[7], 'expires', ARGV[8])
        for i = 9, #ARGV, 2 do
          if ARGV[i + 1] == '0' then
            redis.call('HSET', KEYS[2], ARGV[i], 'C')
          elseif ARGV[i + 1] == '-1' then
            redis.call('HSET', KEYS[2], ARGV[i], 'X')
          else
            redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
            redis.call('ZADD', KEYS[3], tonumber(ARGV[i + 1]), ARGV[i])
          end
        end
        for k = 1, 3 do redis.call('PEXPIREAT', KEYS[k], ARGV[8]) end
        return 1
        """;

    // KEYS: s, r, q, p. ARGV: gen. Drops the state only if it is still the generation that was found wrong.
    private const string DropScript = """
        if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) end
        return 0
        """;

    private readonly IConnectionMultiplexer? _redis;
    private readonly string _prefix;
    private readonly ILogger<SignupGate> _log;

    public SignupGate(IServiceProvider services, IConfiguration configuration, ILogger<SignupGate> log)
    {
        // On wherever Redis is configured; Events:SignupGate=false turns it off (the benchmark measures both paths).
        _redis = configuration.GetValue("Events:SignupGate", true) ? services.GetService<IConnectionMultiplexer>() : null;
        _prefix = (configuration["Redis:KeyPrefix"] ?? "nh:") + "signup:";
        _log = log;
    }

    /// <summary>Whether a gate exists at all (Redis configured); a configured but unreachable one answers <see cref="GateOutcome.Unavailable"/>.</summary>
    public bool Configured => _redis is not null;

    public bool Connected => _redis is { IsConnected: true };

    // One hash tag per event keeps its keys on one node should Redis ever be a cluster.
    private string Tag(long eventId) => $"{_prefix}{{{eventId.ToString(CultureInfo.InvariantCulture)}}}:";

    private RedisKey[] Keys(long eventId)
    {
        var tag = Tag(eventId);
        return [tag + "s", tag + "r", tag + "q", tag + "p"];
    }

    public async Task<GateDecision> AdmitAsync(long eventId, long residentId, DateTimeOffset now, bool eligibilityChecked)
    {
        if (_redis is not { IsConnected: true })
        {
            return new GateDecision(GateOutcome.Unavailable);
        }

        RedisResult[] r;
        try
        {
            r = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(AdmitScript, Keys(eventId),
                [residentId, now.ToUnixTimeMilliseconds(), eligibilityChecked ? 1 : 0, (now + RecordingLease).ToUnixTimeMilliseconds()]))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            // Lost Redis mid-burst (connection reset, timeout, a command cancelled in the backlog): the database decides alone.
            _log.LogWarning(ex, "报名闸门不可用，活动 {EventId} 的报名改走数据库", eventId);
            return new GateDecision(GateOutcome.Unavailable);
        }

        return (string?)r[0] switch
        {
            "missing" => new GateDecision(GateOutcome.Missing),
            "closed" => new GateDecision(GateOutcome.Closed),
            "check" => new GateDecision(GateOutcome.CheckEligibility),
            "returning" => new GateDecision(GateOutcome.Returning),
            "stale" => new GateDecision(GateOutcome.Stale, Generation: (int)r[1]),
            var kind => Decision(kind == "new" ? GateOutcome.Admitted : GateOutcome.Repeat, r),
        };
    }

    private static GateDecision Decision(GateOutcome outcome, RedisResult[] r)
    {
        // Microseconds since the epoch from Redis's TIME (a double holds them exactly until the year 2255).
        DateTimeOffset? decidedAt = r.Length > 5 ? DateTimeOffset.UnixEpoch.AddTicks((long)r[5] * 10) : null;
        return (string?)r[1] == "C"
            ? new GateDecision(outcome, SignupStatus.Confirmed, Generation: (int)r[4], DecidedAt: decidedAt)
            : new GateDecision(outcome, SignupStatus.Waitlisted, (int)r[2], (int)r[3], (int)r[4], decidedAt);
    }

    public async Task<bool> InstallAsync(long eventId, GateSnapshot s)
    {
        if (_redis is not { IsConnected: true })
        {
            return false;
        }

        var args = new List<RedisValue>(8 + s.Signups.Count * 2)
        {
            s.Generation, s.Capacity, s.Confirmed, s.WaitlistSeq, s.OpensAt.ToUnixTimeMilliseconds(), s.ClosesAt.ToUnixTimeMilliseconds(),
            s.VerifiedOnly ? 1 : 0,
            // Nothing to decide after the window closes; a day's grace covers clocks that differ between instances.
            (s.ClosesAt < DateTimeOffset.MaxValue.AddDays(-1) ? s.ClosesAt.AddDays(1) : DateTimeOffset.MaxValue).ToUnixTimeMilliseconds(),
        };
        foreach (var (residentId, status, ticket) in s.Signups)
        {
            args.Add(residentId);
            args.Add(status switch { SignupStatus.Confirmed => 0, SignupStatus.Cancelled => -1, _ => ticket ?? 0 });
        }

        try
        {
            return (int)await _redis.GetDatabase().ScriptEvaluateAsync(InstallScript, Keys(eventId), [.. args]) == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            _log.LogWarning(ex, "报名闸门重建失败，活动 {EventId}", eventId);
            return false;
        }
    }

    /// <summary>
    /// The decision for <paramref name="residentId"/> is in the database: its lease is settled. Sent without waiting
    /// for the answer; if it is lost, the lease runs out and the state is rebuilt from the database, which has the row.
    /// </summary>
    public Task SettleAsync(long eventId, long residentId) =>
        Quietly(db => db.SortedSetRemoveAsync(Keys(eventId)[3], residentId, CommandFlags.FireAndForget));

    /// <summary>Drops the state of <paramref name="generation"/> after the database refused a decision made from it.</summary>
    public Task DropAsync(long eventId, int generation) => Quietly(db => db.ScriptEvaluateAsync(DropScript, Keys(eventId), [generation]));

    /// <summary>
    /// One instance rebuilds an event's state at a time; the others wait for it rather than rebuild too (each
    /// rebuild moves the generation and would void the one before).
    /// </summary>
    public async Task<bool> TryTakeRebuildAsync(long eventId)
    {
        try
        {
            return _redis is { IsConnected: true }
                && await _redis.GetDatabase().StringSetAsync(Tag(eventId) + "rebuild", 1, TimeSpan.FromSeconds(5), When.NotExists);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    public Task ReleaseRebuildAsync(long eventId) => Quietly(db => db.KeyDeleteAsync(Tag(eventId) + "rebuild"));

    public async Task<bool> ExistsAsync(long eventId)
    {
        try
        {
            return _redis is { IsConnected: true } && await _redis.GetDatabase().KeyExistsAsync(Keys(eventId)[0]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task Quietly(Func<IDatabase, Task> action)
    {
        if (_redis is not { IsConnected: true })
        {
            return;
        }

        try
        {
            await action(_redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            // The generation check in the database covers a state we could not drop.
            _log.LogWarning(ex, "报名闸门状态清除失败");
        }
    }
}
