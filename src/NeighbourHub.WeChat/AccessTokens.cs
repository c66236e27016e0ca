using System.Collections.Concurrent;

namespace NeighbourHub.WeChat;

/// <summary>An access token as it is shared between instances.</summary>
public sealed record CachedAccessToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Where the one access token per app lives. WeChat keeps a single valid token per app (a new one
/// invalidates the old after five minutes), so several instances must share it and refresh it under
/// one lock. The host supplies a Redis implementation; <see cref="InProcessAccessTokenStore"/> serves one instance.
/// </summary>
public interface IAccessTokenStore
{
    Task<CachedAccessToken?> GetAsync(string appId, CancellationToken ct);

    Task SetAsync(string appId, CachedAccessToken token, CancellationToken ct);

    /// <summary>Tries to take the refresh lock; null when another holder has it.</summary>
    Task<IAsyncDisposable?> TryLockAsync(string appId, TimeSpan leaseTime, CancellationToken ct);
}

public sealed class InProcessAccessTokenStore : IAccessTokenStore
{
    private readonly ConcurrentDictionary<string, CachedAccessToken> _tokens = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public Task<CachedAccessToken?> GetAsync(string appId, CancellationToken ct) =>
        Task.FromResult(_tokens.TryGetValue(appId, out var t) ? t : null);

    public Task SetAsync(string appId, CachedAccessToken token, CancellationToken ct)
    {
        _tokens[appId] = token;
        return Task.CompletedTask;
    }

    public async Task<IAsyncDisposable?> TryLockAsync(string appId, TimeSpan leaseTime, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(appId, _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(TimeSpan.Zero, ct) ? new Release(gate) : null;
    }

    private sealed class Release(SemaphoreSlim gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// Hands out the app's access token: from the shared store while it has more than a safety margin
/// left, otherwise fetched through <c>stable_token</c> by whichever instance wins the lock while the
/// others wait for the store to fill.
/// </summary>
public sealed class AccessTokenProvider(
    IAccessTokenStore store,
    StableTokenClient tokenClient,
    Microsoft.Extensions.Options.IOptions<WeChatOptions> options,
    TimeProvider clock)
{
    /// <summary>Refresh this long before expiry so a token is never used at the edge of its life.</summary>
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(15);

    public async Task<string> GetAsync(CancellationToken ct) => await GetAsync(null, ct);

    /// <summary>
    /// Returns a valid token. Pass the token that WeChat just rejected (40001/42001) as
    /// <paramref name="rejected"/>: a fresh one is fetched unless another instance already replaced it.
    /// </summary>
    public async Task<string> GetAsync(string? rejected, CancellationToken ct)
    {
        var appId = options.Value.AppId;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var cached = await store.GetAsync(appId, ct);
            if (cached is not null && cached.Token != rejected && cached.ExpiresAt - SafetyMargin > clock.GetUtcNow())
            {
                return cached.Token;
            }

            await using (var held = await store.TryLockAsync(appId, LockLease, ct))
            {
                if (held is not null)
                {
                    // Re-read under the lock: another instance may have refreshed while we waited.
                    cached = await store.GetAsync(appId, ct);
                    if (cached is not null && cached.Token != rejected && cached.ExpiresAt - SafetyMargin > clock.GetUtcNow())
                    {
                        return cached.Token;
                    }

                    // force_refresh is limited (20/day); a normal stable_token call already returns a
                    // new token once the old one has been invalidated, so we never force.
                    var fresh = await tokenClient.FetchAsync(forceRefresh: false, ct);
                    var token = new CachedAccessToken(fresh.Token, clock.GetUtcNow().AddSeconds(fresh.ExpiresInSeconds));
                    await store.SetAsync(appId, token, ct);
                    return token.Token;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
        }

        throw new TimeoutException("Timed out waiting for another instance to refresh the WeChat access token.");
    }
}
