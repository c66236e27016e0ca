using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NeighbourHub.Web.Tenancy;

/// <summary>Whose access scope a change touches: one principal (resident or admin), or everybody's.</summary>
public readonly record struct ScopeOwner(string Kind, long Id)
{
    public static ScopeOwner Resident(long id) => new(Features.Identity.AuthClaims.ResidentKind, id);

    public static ScopeOwner Admin(long id) => new(Features.Identity.AuthClaims.AdminKind, id);
}

/// <summary>
/// Version stamps that say when a cached <see cref="AccessScope"/> may still be used: one per principal, bumped when a
/// residence, role assignment or admin account of theirs changes, and one for everybody, bumped when something shared
/// changes (estates, buildings, grids and their buildings, firm contracts). <see cref="ScopeCache"/> keys cached scopes
/// by both, so a bump makes every instance resolve afresh on its next request — nothing waits for an expiry or a message.
/// <para>
/// Stamps are random, never counters: Redis here keeps nothing across a restart, and a counter restarting from zero
/// could meet a stamp an instance cached before the restart (and with it a scope that was since narrowed).
/// </para>
/// </summary>
public abstract class ScopeVersions
{
    /// <summary>The stamp a scope resolved now is cached under, or null when it cannot be known (then nothing is cached or reused).</summary>
    public abstract Task<string?> ReadAsync(ScopeOwner owner);

    /// <summary>Makes every scope cached for these principals (or, with <paramref name="everybody"/>, for anyone) stale.</summary>
    public abstract Task BumpAsync(IReadOnlyCollection<ScopeOwner> owners, bool everybody);

    protected static string NewStamp() => Guid.NewGuid().ToString("N");
}

/// <summary>One instance without Redis (the SQLite default): the stamps live in this process.</summary>
internal sealed class LocalScopeVersions : ScopeVersions
{
    private readonly ConcurrentDictionary<ScopeOwner, string> _owners = new();
    private string _everybody = NewStamp();

    public override Task<string?> ReadAsync(ScopeOwner owner) =>
        Task.FromResult<string?>(Volatile.Read(ref _everybody) + "|" + _owners.GetValueOrDefault(owner, "-"));

    public override Task BumpAsync(IReadOnlyCollection<ScopeOwner> owners, bool everybody)
    {
        foreach (var owner in owners)
        {
            _owners[owner] = NewStamp();
        }

        if (everybody)
        {
            Volatile.Write(ref _everybody, NewStamp());
        }

        return Task.CompletedTask;
    }
}

/// <summary>Instances sharing Redis: one MGET per request reads both stamps.</summary>
internal sealed class RedisScopeVersions(IConnectionMultiplexer redis, string prefix, ILogger<RedisScopeVersions> log) : ScopeVersions
{
    /// <summary>Longer than any cached scope lives (<see cref="ScopeCache.Lifetime"/>), so an expired stamp meets no cached scope.</summary>
    private static readonly TimeSpan OwnerStampLifetime = TimeSpan.FromDays(1);

    private readonly RedisKey _everybody = prefix + "scope:all";

    // Changed when a bump could not be written: at least this instance then holds nothing stale.
    private string _local = NewStamp();

    private RedisKey OwnerKey(ScopeOwner owner) => $"{prefix}scope:{owner.Kind}:{owner.Id}";

    public override async Task<string?> ReadAsync(ScopeOwner owner)
    {
        if (!redis.IsConnected)
        {
            // Known lost (killed, restarting): resolve from the database now. Asking anyway would park every request
            // in the multiplexer's backlog for its whole timeout (5 s) before the same answer.
            return null;
        }

        try
        {
            var values = await redis.GetDatabase().StringGetAsync([_everybody, OwnerKey(owner)]);
            var everybody = values[0];
            if (everybody.IsNull)
            {
                // First start, or Redis lost its keys: a fresh stamp no cached scope carries.
                await redis.GetDatabase().StringSetAsync(_everybody, NewStamp(), when: When.NotExists);
                everybody = await redis.GetDatabase().StringGetAsync(_everybody);
                if (everybody.IsNull)
                {
                    return null;
                }
            }

            return everybody + "|" + (values[1].IsNull ? "-" : (string)values[1]!) + "|" + Volatile.Read(ref _local);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without the stamps a cached scope might be one that was revoked: resolve from the database instead.
            // Any failure, not only RedisException: while Redis dies, StackExchange.Redis can also throw from its socket
            // pipe ("Writing is not allowed after writer was completed", an InvalidOperationException), and the kill
            // test saw that answer 500. Not knowing the stamps never fails a request.
            log.LogWarning(e, "Scope stamps unreadable; resolving from the database.");
            return null;
        }
    }

    public override async Task BumpAsync(IReadOnlyCollection<ScopeOwner> owners, bool everybody)
    {
        var db = redis.GetDatabase();
        var writes = owners.Select(o => db.StringSetAsync(OwnerKey(o), NewStamp(), OwnerStampLifetime)).ToList();
        if (everybody)
        {
            writes.Add(db.StringSetAsync(_everybody, NewStamp()));
        }

        try
        {
            await Task.WhenAll(writes);
        }
        catch
        {
            Volatile.Write(ref _local, NewStamp());
            throw;
        }
    }
}
