using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeighbourHub.Web.Data;
using StackExchange.Redis;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// One round trip on a pooled connection (the same pool as the app's queries), without a DbContext: load balancers
/// probe this every second or two per instance, and EF's <c>CanConnectAsync</c> opens a fresh unpooled connection
/// each time (a TCP handshake and a login), which made the probe cost more than a resident's request.
/// </summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<NeighbourHubDbContext> contexts) : IHealthCheck
{
    private readonly Lazy<(string ConnectionString, bool MySql, string Provider)> _target = new(() =>
    {
        using var db = contexts.CreateDbContext();
        return (db.Database.GetConnectionString() ?? "", db.Database.IsMySql(), db.Database.ProviderName ?? "");
    });

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var (connectionString, mySql, provider) = _target.Value;
            await using var connection = mySql ? MySqlConnection(connectionString) : SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy(provider);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            DeadConnections.Instance.Observe(e);
            return HealthCheckResult.Unhealthy("数据库不可达", e);
        }
    }

    // Each provider's connection is made in a method of its own: the JIT loads the assemblies a method names when it
    // compiles that method, and the probe runs on every instance, so naming SQLite here would load Microsoft.Data.Sqlite
    // into a MariaDB deployment that never uses it (ADR 0010, 2026-12-03).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static System.Data.Common.DbConnection MySqlConnection(string connectionString) => new MySqlConnector.MySqlConnection(connectionString);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static System.Data.Common.DbConnection SqliteConnection(string connectionString) => new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
}

/// <summary>
/// Redis unreachable is <b>Degraded</b> (answered 200), not Unhealthy (503). Every instance shares the one Redis, so a
/// 503 here would take all of them out of the load balancer at once, though each keeps serving without it: sign-ups go
/// through the database (ADR 0011), scopes are resolved from the database while their stamps are unreadable, and the
/// kill test holds reads to under 5% failures with Redis killed. The answer still names Redis for the operator.
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public const string Unreachable = "Redis 不可达：报名改走数据库，访问范围每次从数据库读取；实例照常服务";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded(Unreachable, e);
        }
    }
}

/// <summary>What the outbox looks like now: the age of its oldest undelivered message, how many wait, how many gave up lately.</summary>
public sealed record OutboxSnapshot(double LagSeconds, int Pending, int DeadLetters);

/// <summary>
/// Reads the outbox's state for the readiness check and the metrics gauges. Load balancers probe often and Prometheus
/// scrapes every instance, so the two small indexed queries for lag and backlog run at most every
/// <see cref="CacheFor"/>, and the dead-letter count — over the last <see cref="DeadLetterWindow"/> of processed
/// messages, found through the (ProcessedAt, …) index, as no index covers the outcome — at most every
/// <see cref="DeadLettersCacheFor"/>. Only topics this instance has a handler for count: a message waiting for a
/// feature that does not consume it yet is not lag.
/// </summary>
public sealed class OutboxProbe
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DeadLettersCacheFor = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DeadLetterWindow = TimeSpan.FromDays(7);

    private readonly IDbContextFactory<NeighbourHubDbContext> _contexts;
    private readonly TimeProvider _clock;
    private readonly List<string> _topics;
    private readonly Lock _gate = new();
    private (OutboxSnapshot Value, DateTimeOffset At)? _last;
    private (int Count, DateTimeOffset At)? _deadLetters;

    public OutboxProbe(IDbContextFactory<NeighbourHubDbContext> contexts, IEnumerable<Features.Notifications.IOutboxHandler> handlers, TimeProvider clock,
        System.Diagnostics.Metrics.IMeterFactory meters)
    {
        _contexts = contexts;
        _clock = clock;
        _topics = handlers.Select(h => h.Topic).Distinct().ToList();
        ProductMetrics.AddOutboxGauges(meters.Create(new System.Diagnostics.Metrics.MeterOptions(ProductMetrics.MeterName)), this);
    }

    /// <summary>For the scrape (gauge callbacks are synchronous): a cached value, or a fresh one read synchronously.</summary>
    public OutboxSnapshot Read()
    {
        var now = _clock.GetUtcNow();
        if (Cached(now) is { } cached)
        {
            return cached;
        }

        using var db = System();
        var q = Undelivered(db);
        var oldest = q.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefault();
        var pending = q.Count();
        var dead = CachedDeadLetters(now) ?? DeadLetters(db, now).Count();
        return Remember(now, oldest, pending, dead);
    }

    public async Task<OutboxSnapshot> ReadAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (Cached(now) is { } cached)
        {
            return cached;
        }

        await using var db = System();
        var q = Undelivered(db);
        var oldest = await q.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        var pending = await q.CountAsync(ct);
        var dead = CachedDeadLetters(now) ?? await DeadLetters(db, now).CountAsync(ct);
        return Remember(now, oldest, pending, dead);
    }

    /// <summary>Drops the cached readings (tests that change the outbox and read at once).</summary>
    internal void Forget()
    {
        lock (_gate)
        {
            (_last, _deadLetters) = (null, null);
        }
    }

    private IQueryable<Features.Notifications.OutboxMessage> Undelivered(NeighbourHubDbContext db) =>
        db.OutboxMessages.Where(m => m.ProcessedAt == null && _topics.Contains(m.Topic));

    private static IQueryable<Features.Notifications.OutboxMessage> DeadLetters(NeighbourHubDbContext db, DateTimeOffset now)
    {
        var since = now - DeadLetterWindow;
        return db.OutboxMessages.Where(m => m.ProcessedAt > since && m.Outcome == Features.Notifications.OutboxMessage.DeadLetter);
    }

    private NeighbourHubDbContext System()
    {
        var db = _contexts.CreateDbContext();
        db.Scope = Tenancy.CurrentScope.For(Tenancy.AccessScope.System);
        return db;
    }

    private OutboxSnapshot? Cached(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _last is { } last && now - last.At < CacheFor ? last.Value : null;
        }
    }

    private int? CachedDeadLetters(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _deadLetters is { } d && now - d.At < DeadLettersCacheFor ? d.Count : null;
        }
    }

    private OutboxSnapshot Remember(DateTimeOffset now, DateTimeOffset? oldest, int pending, int deadLetters)
    {
        // Ids grow with time, so the first undelivered by id is (to within a racing insert) the oldest.
        var snapshot = new OutboxSnapshot(oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0, pending, deadLetters);
        lock (_gate)
        {
            _last = (snapshot, now);
            if (_deadLetters is not { } d || now - d.At >= DeadLettersCacheFor)
            {
                _deadLetters = (deadLetters, now);
            }
        }

        return snapshot;
    }
}

/// <summary>
/// Outbox lag beyond <c>Outbox:LagDegradedSeconds</c> is Degraded — answered 200, so a load balancer keeps the
/// instance (it still serves; deliveries are late, which is an operator's problem, not a routing one). Dead letters
/// are named in the description either way.
/// </summary>
internal sealed class OutboxHealthCheck(OutboxProbe probe, Microsoft.Extensions.Options.IOptions<Features.Notifications.OutboxOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        OutboxSnapshot s;
        try
        {
            s = await probe.ReadAsync(ct);
        }
        catch (Exception e)
        {
            // The database check reports an unreachable database; the outbox's own answer then is only "unknown".
            return HealthCheckResult.Degraded("无法读取待投递消息。", e);
        }

        var limit = options.Value.LagDegradedSeconds;
        var text = $"待投递 {s.Pending} 条，最早一条已等待 {s.LagSeconds:0} 秒（阈值 {limit:0} 秒）；近 7 天死信 {s.DeadLetters} 条。";
        var data = new Dictionary<string, object> { ["lagSeconds"] = Math.Round(s.LagSeconds), ["pending"] = s.Pending, ["deadLetters"] = s.DeadLetters };
        return s.LagSeconds > limit ? HealthCheckResult.Degraded("消息投递滞后：" + text, data: data) : HealthCheckResult.Healthy(text, data);
    }
}
