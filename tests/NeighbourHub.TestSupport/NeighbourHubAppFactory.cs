using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using NeighbourHub.Web.Data;
using Respawn;

namespace NeighbourHub.TestSupport;

/// <summary>
/// The real app (Program) on a real database: MariaDB (migrated from the MySQL migrations) or a
/// SQLite file (migrated at start like the embedded default), with Redis and the fake WeChat.
/// </summary>
public class NeighbourHubAppFactory : WebApplicationFactory<Program>
{
    public const string JwtKey = "integration-tests-signing-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private Respawner? _respawner;

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public FakeWeChatServer? WeChat { get; }

    public NeighbourHubAppFactory(DatabaseProvider provider, string connectionString, FakeWeChatServer? wechat, bool useRedis,
        IDictionary<string, string?>? extra = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        WeChat = wechat;
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:NeighbourHub"] = connectionString,
            ["ConnectionStrings:Redis"] = useRedis ? TestServers.Redis : "",
            ["Redis:KeyPrefix"] = $"nh-test-{Guid.NewGuid():N}:",
            ["WeChat:AppId"] = wechat is null ? "" : FakeWeChatServer.AppId,
            ["WeChat:AppSecret"] = wechat is null ? "" : FakeWeChatServer.AppSecret,
            ["WeChat:BaseUrl"] = wechat?.BaseUrl ?? "",
            ["Jwt:SigningKey"] = JwtKey,
            ["Demo:Seed"] = "false",
            // Tests sign in far more often than people do; SignInTests set tight limits on apps of their own.
            ["RateLimiting:ResidentLoginPerAddressPerMinute"] = "100000",
            ["RateLimiting:ResidentLoginPerCodePerMinute"] = "100000",
            ["RateLimiting:ResidentLoginPerOpenIdPerMinute"] = "100000",
            ["RateLimiting:RefreshPerAddressPerMinute"] = "100000",
            ["RateLimiting:AdminLoginPerAddressPerMinute"] = "100000",
            ["RateLimiting:AdminLoginFailuresPerAccountPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            // Tests drive the outbox themselves (DispatchOnceAsync) and retry at once.
            ["Outbox:PollSeconds"] = "0",
            ["Outbox:FirstRetrySeconds"] = "0",
            ["Outbox:MaxAttempts"] = "3",
            // Nothing dispatches in the background here, so messages age while a slow test runs; readiness reports outbox
            // lag only where a test asks for it (ObservabilityTests sets the production default).
            ["Outbox:LagDegradedSeconds"] = "86400",
            // Notices: tests run the publication job themselves; notices' subscribe messages have templates the fake accepts.
            ["Notices:PublishPollSeconds"] = "0",
            ["WeChat:Templates:notice.published"] = "tpl-notice",
            ["WeChat:Templates:notice.remind"] = "tpl-notice-remind",
            // Tests run the escalation job themselves with a fake clock.
            ["Repairs:Escalation:PollSeconds"] = "0",
            // Tests run reconciliation themselves and want every pending order considered.
            ["WeChatPay:Reconciliation:PollSeconds"] = "0",
            ["WeChatPay:Reconciliation:QueryAfterMinutes"] = "0",
            ["Files:Directory"] = Path.Combine(Path.GetTempPath(), $"nh-test-files-{Guid.NewGuid():N}"),
            // Tests run the cleanup of unused uploads themselves with a fake clock.
            ["Files:Cleanup:PollSeconds"] = "0",
            // Tests make fund statements themselves; instances on one database sign with one key, as in production.
            ["Fund:StatementPollMinutes"] = "0",
            ["Voting:PollSeconds"] = "0",
            ["Fund:SigningKeyPath"] = Path.Combine(Path.GetTempPath(), $"nh-test-fund-key-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(connectionString)))[..16]}.pem"),
            ["WeChat:Templates:event.promoted"] = "tpl-promoted",
            ["WeChat:Templates:event.cancelled"] = "no-quota",
            ["WeChat:Templates:busy"] = "busy-template",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    /// <summary>A factory on MariaDB: recreates <paramref name="database"/> and applies the MySQL migrations.</summary>
    public static async Task<NeighbourHubAppFactory> OnMariaDbAsync(string database, FakeWeChatServer? wechat, IDictionary<string, string?>? extra = null)
    {
        await TestServers.RecreateDatabaseAsync(database);
        var connectionString = TestServers.MySqlDatabase(database);
        var options = new DbContextOptionsBuilder<MySqlNeighbourHubDbContext>()
            .UseMySql(connectionString, ServerVersion.Parse(new DatabaseOptions().ServerVersion)).Options;
        await using (var db = new MySqlNeighbourHubDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        return new NeighbourHubAppFactory(DatabaseProvider.MySql, connectionString, wechat, useRedis: true, extra);
    }

    /// <summary>A factory on a fresh SQLite file, migrated at start exactly like the embedded default.</summary>
    public static NeighbourHubAppFactory OnSqlite(FakeWeChatServer? wechat, IDictionary<string, string?>? extra = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"nh-test-{Guid.NewGuid():N}.db");
        return new NeighbourHubAppFactory(DatabaseProvider.Sqlite, $"Data Source={file}", wechat, useRedis: false, extra);
    }

    /// <summary>Extra host configuration (benchmarks add their baseline endpoints here); set before the host starts.</summary>
    public Action<IWebHostBuilder>? Customize { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Customize?.Invoke(builder);
        builder.UseEnvironment("Testing");
        builder.ConfigureServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestPeerAddress>());
        // Blazor and MudBlazor scripts come from static web assets, served by default only in Development.
        builder.UseStaticWebAssets();
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
    }

    /// <summary>Empties every table (keeping the migrations history) between tests.</summary>
    public async Task ResetAsync()
    {
        if (Provider != DatabaseProvider.MySql)
        {
            throw new InvalidOperationException("Reset is for the shared MariaDB database; SQLite tests use a fresh file.");
        }

        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        _respawner ??= await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.MySql,
            SchemasToInclude = [connection.Database],
            TablesToIgnore = ["__EFMigrationsHistory"],
        });
        await _respawner.ResetAsync(connection);
    }

    public NeighbourHubDbContext SystemDb()
    {
        var db = Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>().CreateDbContext();
        db.Scope = Web.Tenancy.CurrentScope.For(Web.Tenancy.AccessScope.System);
        return db;
    }

    /// <summary>Signs a resident in through the real login endpoint and returns a client carrying the token.</summary>
    public async Task<HttpClient> ResidentClientAsync(string code)
    {
        var client = CreateClient();
        var login = await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code });
        login.EnsureSuccessStatusCode();
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>
    /// Many residents at once, without a login round-trip each: rows inserted directly and tokens
    /// issued by the app's own <see cref="Web.Features.Identity.TokenService"/>.
    /// </summary>
    public async Task<List<(long Id, string Token)>> CreateResidentsAsync(string prefix, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var residents = Enumerable.Range(0, count)
            .Select(i => new Web.Features.Identity.Resident { OpenId = $"{prefix}-{i}", Nickname = $"{prefix}{i}", CreatedAt = now, LastLoginAt = now })
            .ToList();
        await using (var db = SystemDb())
        {
            db.Residents.AddRange(residents);
            await db.SaveChangesAsync();
        }

        var tokens = Services.GetRequiredService<Web.Features.Identity.TokenService>();
        return residents.Select(r => (r.Id, tokens.ForResident(r).Token)).ToList();
    }

    /// <summary>A client for <paramref name="token"/>, over TestServer or (when started with Kestrel) real HTTP.</summary>
    public HttpClient ClientWithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> AdminClientAsync(string userName, string password = TestOrg.Password)
    {
        var client = CreateClient();
        var login = await client.PostAsJsonAsync("/api/v1/admin/auth/login", new { userName, password });
        login.EnsureSuccessStatusCode();
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return client;
    }
}

/// <summary>
/// TestServer requests carry no client address. Give them one, as a real connection would: loopback, or
/// the address in <see cref="Header"/>, so tests can play clients at different addresses (and an
/// untrusted one spoofing X-Forwarded-For). Runs before the app's own middleware, forwarded headers included.
/// </summary>
public sealed class TestPeerAddress : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, nextMiddleware) =>
        {
            if (http.Request.Headers.TryGetValue(Header, out var peer) && System.Net.IPAddress.TryParse(peer.ToString(), out var address))
            {
                http.Connection.RemoteIpAddress = address;
            }
            else
            {
                http.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
            }

            return nextMiddleware(http);
        });
        next(app);
    };
}

