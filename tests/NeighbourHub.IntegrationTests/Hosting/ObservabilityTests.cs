using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// An app of its own (MariaDB, Redis, fake WeChat and WeChat Pay) whose log lines are captured with their scopes,
/// and which lets one private network scrape /metrics besides loopback.
/// </summary>
public sealed class ObservedAppFixture : IAsyncLifetime
{
    public const string AllowedNetwork = "10.9.0.0/16";

    public FakeWeChatServer WeChat { get; private set; } = null!;
    public FakeWeChatPayServer Pay { get; private set; } = null!;
    public NeighbourHubAppFactory App { get; private set; } = null!;
    public TestOrg Org { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        WeChat = await FakeWeChatServer.StartAsync();
        Pay = await FakeWeChatPayServer.StartAsync();
        var settings = new Dictionary<string, string?>(Pay.AppSettings) { ["Observability:MetricsAllowedNetworks"] = AllowedNetwork, ["Outbox:LagDegradedSeconds"] = "300" };
        App = await NeighbourHubAppFactory.OnMariaDbAsync("nh_observe", WeChat, settings);
        App.Customize = b => b.ConfigureLogging(l => l.AddProvider(Logs));
        _ = App.Server;
        Org = await TestOrg.SeedAsync(App);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await WeChat.DisposeAsync();
        await Pay.DisposeAsync();
    }
}

/// <summary>
/// Not run in parallel with anything: the product's meter is process-wide, so another app's payments or sign-ins in
/// the same test process would move the counters these tests read exactly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservedAppCollection : ICollectionFixture<ObservedAppFixture>
{
    public const string Name = "observed app, alone";
}

[Collection(ObservedAppCollection.Name)]
public sealed class ObservabilityTests(ObservedAppFixture fixture)
{
    private NeighbourHubAppFactory App => fixture.App;

    [Fact]
    public async Task A_paid_order_and_refused_callbacks_are_counted_by_reason()
    {
        var (resident, bills) = await BilledResidentAsync("wx-obs-payer");
        var ids = bills.Select(b => b.GetProperty("id").GetInt64()).ToList();
        var total = bills.Sum(b => b.GetProperty("amountFen").GetInt64());
        var before = await ScrapeAsync();

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds = ids }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var created = await resident.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var outTradeNo = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outTradeNo").GetString()!;
        Assert.Equal(0, Value(await ScrapeAsync(), "nh_payments_collected_total", "channel=\"wechat\"") - Value(before, "nh_payments_collected_total", "channel=\"wechat\""));

        fixture.Pay.Pay(outTradeNo);
        var callback = fixture.Pay.PaymentCallback(outTradeNo);
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), callback)).StatusCode);
        // WeChat delivers again: still one payment collected.
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), fixture.Pay.PaymentCallback(outTradeNo))).StatusCode);

        // Refused: signed by someone else's key, too old, and a wrong amount (flagged for staff).
        using var stranger = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), fixture.Pay.PaymentCallback(outTradeNo, signWith: stranger))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), fixture.Pay.PaymentCallback(outTradeNo, age: TimeSpan.FromMinutes(10)))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), fixture.Pay.PaymentCallback(outTradeNo, amount: total + 1))).StatusCode);

        var after = await ScrapeAsync();
        double Rise(string name, params string[] labels) => Value(after, name, labels) - Value(before, name, labels);
        Assert.Equal(1, Rise("nh_payments_collected_total", "channel=\"wechat\""));
        Assert.Equal(total, Rise("nh_payments_collected_fen_total", "channel=\"wechat\""));
        Assert.Equal(1, Rise("nh_wechatpay_callbacks_rejected_total", "reason=\"signature\""));
        Assert.Equal(1, Rise("nh_wechatpay_callbacks_rejected_total", "reason=\"stale_timestamp\""));
        Assert.Equal(1, Rise("nh_wechatpay_callbacks_rejected_total", "reason=\"amount_mismatch\""));
        Assert.Equal(1, Rise("nh_payments_flagged_total", "reason=\"amount_mismatch\""));
        Assert.Equal(0, Rise("nh_wechatpay_callbacks_rejected_total", "reason=\"unknown_order\""));
        // Labels are words, never ids: no series names the order, the payment or the resident.
        Assert.DoesNotContain(outTradeNo, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_ups_and_a_failed_admin_sign_in_are_counted_and_the_failure_is_logged_with_the_request_trace_id()
    {
        var admin = await App.AdminClientAsync("adminA");
        var eventId = await EventTests.CreateEventAsync(admin, fixture.Org.EstateA1, capacity: 1);
        var before = await ScrapeAsync();
        Assert.Equal(HttpStatusCode.Created, (await (await App.ResidentClientAsync("wx-obs-first")).PostAsync($"/api/v1/events/{eventId}/signups", null)).StatusCode);
        var second = await App.ResidentClientAsync("wx-obs-second");
        Assert.Equal(HttpStatusCode.Created, (await second.PostAsync($"/api/v1/events/{eventId}/signups", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsync($"/api/v1/events/{eventId}/signups", null)).StatusCode); // a repeat takes nothing

        var failed = await App.CreateClient().PostAsJsonAsync("/api/v1/admin/auth/login", new { userName = "adminA", password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        var traceId = (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("traceId").GetString();

        var after = await ScrapeAsync();
        Assert.Equal(1, Value(after, "nh_events_signups_total", "status=\"confirmed\"") - Value(before, "nh_events_signups_total", "status=\"confirmed\""));
        Assert.Equal(1, Value(after, "nh_events_signups_total", "status=\"waitlisted\"") - Value(before, "nh_events_signups_total", "status=\"waitlisted\""));
        Assert.Equal(1, Value(after, "nh_signin_failures_total", "who=\"admin\"", "reason=\"invalid\"") - Value(before, "nh_signin_failures_total", "who=\"admin\"", "reason=\"invalid\""));

        // The request's warning carries the same trace id the client was given, and a span id, as scope values.
        var line = Assert.Single(fixture.Logs.Lines, l => l.Message.StartsWith("Failed admin login for adminA", StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal(traceId, line.Scope.GetValueOrDefault("TraceId"));
        Assert.Matches("^[0-9a-f]{16}$", line.Scope.GetValueOrDefault("SpanId") ?? "");
    }

    [Fact]
    public void A_background_job_tick_logs_under_a_trace_id_even_with_tracing_off()
    {
        var log = App.Services.GetRequiredService<ILogger<ObservabilityTests>>();
        string traceId;
        using (var tick = ProductMetrics.StartJob("TestJob"))
        {
            traceId = tick.TraceId.ToHexString();
            log.LogWarning("job tick {Marker}", "obs-job-marker");
        }

        var line = Assert.Single(fixture.Logs.Lines, l => l.Message == "job tick obs-job-marker");
        Assert.Equal(traceId, line.Scope.GetValueOrDefault("TraceId"));
        Assert.NotEqual(new string('0', 32), traceId);
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task Metrics_answer_loopback_and_the_allowed_network_and_nobody_else()
    {
        Assert.Contains("nh_outbox_lag_seconds", await ScrapeAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await MetricsFromAsync("10.9.200.7")).StatusCode);

        var outsider = await MetricsFromAsync("203.0.113.9");
        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        Assert.DoesNotContain("nh_", await outsider.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await MetricsFromAsync("192.168.1.20")).StatusCode);

        // Through the trusted proxy (loopback here, as nginx on the same machine): refused whoever the client is,
        // even an address of the allowed network, and even when the proxy forwards a loopback address.
        foreach (var client in new[] { "203.0.113.9", "10.9.0.1", "127.0.0.1" })
        {
            var relayed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            relayed.Headers.Add("X-Forwarded-For", client);
            Assert.Equal(HttpStatusCode.NotFound, (await App.CreateClient().SendAsync(relayed)).StatusCode);
        }

        // An untrusted peer spoofing the header gets nowhere either.
        var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Add(TestPeerAddress.Header, "198.51.100.4");
        spoofed.Headers.Add("X-Forwarded-For", "127.0.0.1");
        Assert.Equal(HttpStatusCode.NotFound, (await App.CreateClient().SendAsync(spoofed)).StatusCode);
    }

    [Fact]
    public async Task Readiness_is_degraded_but_200_while_the_outbox_lags_and_names_dead_letters()
    {
        var probe = App.Services.GetRequiredService<OutboxProbe>();
        var now = DateTimeOffset.UtcNow;
        long aged;
        await using (var db = App.SystemDb())
        {
            // A collected payment the fund has not taken for ten minutes (backing off, so no dispatcher takes it now).
            var message = new OutboxMessage
            {
                Topic = PaymentService.CollectedTopic,
                Key = $"obs-aged-{Guid.NewGuid():N}",
                Payload = "{}",
                CreatedAt = now.AddMinutes(-10),
                AvailableAt = now.AddHours(1),
                Attempts = 3,
            };
            db.OutboxMessages.Add(message);
            db.OutboxMessages.Add(new OutboxMessage
            {
                Topic = PaymentService.CollectedTopic,
                Key = $"obs-dead-{Guid.NewGuid():N}",
                Payload = "{}",
                CreatedAt = now.AddHours(-2),
                AvailableAt = now,
                Attempts = 8,
                ProcessedAt = now.AddMinutes(-1),
                Outcome = OutboxMessage.DeadLetter,
                LastError = "fund unavailable",
            });
            await db.SaveChangesAsync();
            aged = message.Id;
        }

        probe.Forget();
        var degraded = await App.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        var health = await degraded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        var outbox = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "outbox");
        Assert.Equal("Degraded", outbox.GetProperty("status").GetString());
        Assert.Contains("滞后", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("死信 1 条", outbox.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.All(health.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("name").GetString() != "outbox"),
            c => Assert.Equal("Healthy", c.GetProperty("status").GetString()));

        var metrics = await ScrapeAsync();
        Assert.InRange(Value(metrics, "nh_outbox_lag_seconds"), 590, 3600);
        Assert.Equal(1, Value(metrics, "nh_outbox_dead_letters"));

        // Delivered at last: ready again, the dead letter still named.
        await using (var db = App.SystemDb())
        {
            var m = await db.OutboxMessages.FindAsync(aged);
            m!.ProcessedAt = DateTimeOffset.UtcNow;
            m.Outcome = "income";
            await db.SaveChangesAsync();
        }

        probe.Forget();
        var healthy = await (await App.CreateClient().GetAsync("/health/ready")).Content.ReadFromJsonAsync<JsonElement>();
        var check = healthy.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "outbox");
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.Contains("死信 1 条", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await App.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> MetricsFromAsync(string peer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(TestPeerAddress.Header, peer);
        return App.CreateClient().SendAsync(request);
    }

    /// <summary>The sum of a metric's samples whose labels include all of <paramref name="labels"/> (0 when it has none yet).</summary>
    private static double Value(string exposition, string name, params string[] labels) =>
        exposition.Split('\n')
            .Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)) && labels.All(l.Contains))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    private async Task<(HttpClient Resident, List<JsonElement> Bills)> BilledResidentAsync(string code)
    {
        var org = fixture.Org;
        var admin = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/admin/fee-items",
            new { estateId = org.EstateA1, name = "车位费", kind = "fixedMonthly", unitPriceFen = 15000, effectiveFrom = "2026-01-01" })).StatusCode);
        Assert.True((await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = org.EstateA1, period = "2026-11" })).IsSuccessStatusCode);
        var resident = await App.ResidentClientAsync(code);
        var applied = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = org.HouseholdsA1[0], relation = "owner", realName = "张三" });
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        var residence = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        var bills = (await (await resident.GetAsync("/api/v1/bills?status=unpaid")).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.NotEmpty(bills);
        return (resident, bills);
    }
}

/// <summary>Every log line of the app with its scope values (TraceId, SpanId, RequestPath…), as a log shipper sees them.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public sealed record Line(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Scope);

    public ConcurrentQueue<Line> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, string?>();
            owner._scopes.ForEachScope((value, into) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        into[k] = v?.ToString();
                    }
                }
            }, scope);
            owner.Lines.Enqueue(new Line(category, logLevel, formatter(state, exception), scope));
        }
    }
}
