using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Events;

// Benchmarks that need the whole stack. Usage:
//   bench/run.sh events-signup [residents] [seats] [concurrency] [gate|db]
//   bench/run.sh repairs-list [repairs] [residents] [concurrency] [seconds]
//   bench/run.sh billing-run [households]
//   bench/run.sh payment-callbacks [payments] [concurrency]
//   bench/run.sh fund-appends [appends] [concurrency]
//   bench/run.sh fund-proofs [leaves]
//   bench/run.sh dashboard [repairs] [requests]
var scenario = args.FirstOrDefault() ?? "events-signup";

// bench/outside.sh runs the driver from a build directory: it needs no content root.
if (scenario == "outside-driver")
{
    return await OutsideDriver.RunAsync(args);
}

if (scenario == "memory-floor")
{
    return await MemoryFloor.RunAsync(args);
}

// WebApplicationFactory finds the web project's content root itself only inside test projects.
var repo = new DirectoryInfo(AppContext.BaseDirectory);
while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "NeighbourHub.sln")))
{
    repo = repo.Parent;
}

Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_NEIGHBOURHUB_WEB",
    Path.Combine(repo?.FullName ?? throw new InvalidOperationException("Run the benchmark from the repository."), "src", "NeighbourHub.Web"));
return scenario switch
{
    "events-signup" => await EventSignupBench.RunAsync(
        residents: ArgOr(1, 5000), seats: ArgOr(2, 200), concurrency: ArgOr(3, 64), gate: args.ElementAtOrDefault(4) != "db"),
    "repairs-list" => await RepairListBench.RunAsync(
        repairs: ArgOr(1, 1_000_000), residents: ArgOr(2, 2000), concurrency: ArgOr(3, 64), seconds: ArgOr(4, 10)),
    "billing-run" => await BillingBench.RunBillingAsync(households: ArgOr(1, 100_000)),
    "payment-callbacks" => await BillingBench.RunCallbacksAsync(payments: ArgOr(1, 2000), concurrency: ArgOr(2, 32)),
    "fund-appends" => await FundBench.RunAppendsAsync(appends: ArgOr(1, 2000), concurrency: ArgOr(2, 8)),
    "fund-proofs" => await FundBench.RunProofsAsync(leaves: ArgOr(1, 1_000_000)),
    "dashboard" => await DashboardBench.RunAsync(repairs: ArgOr(1, 1_000_000), requests: ArgOr(2, 20)),
    _ => Fail($"unknown scenario {scenario}; known: events-signup, repairs-list, billing-run, payment-callbacks, fund-appends, fund-proofs, dashboard"),
};

int ArgOr(int index, int fallback) => args.Length > index && int.TryParse(args[index], out var v) ? v : fallback;

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}

/// <summary>
/// N distinct residents sign up for one event over real HTTP (Kestrel on loopback) backed by MariaDB,
/// with C requests in flight. Reports sign-ups per second, latency percentiles and the final counts,
/// which must be exactly seats confirmed and the rest waitlisted.
/// </summary>
internal static class EventSignupBench
{
    public static async Task<int> RunAsync(int residents, int seats, int concurrency, bool gate)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_events", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error", ["Events:SignupGate"] = gate ? "true" : "false" });
        app.Customize = web => web.ConfigureServices(s => s.AddTransient<IStartupFilter>(_ => new RawEventBaseline(app.ConnectionString)));
        app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var org = await TestOrg.SeedAsync(app);
        var admin = await app.AdminClientAsync("adminA");
        var warmupEvent = await CreateEventAsync(admin, org.EstateA1, capacity: 10);
        var eventId = await CreateEventAsync(admin, org.EstateA1, seats);
        var warmupPeople = await app.CreateResidentsAsync("warmup", 300);
        var people = await app.CreateResidentsAsync("bench", residents);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.ClientOptions.BaseAddress };
        // Warm-up on another event (JIT, connection pools), not measured.
        await SignUpAllAsync(http, warmupEvent, warmupPeople, concurrency);
        var statusBefore = await ServerStatusAsync(app.ConnectionString);
        var (latencies, failures, elapsed) = await SignUpAllAsync(http, eventId, people, concurrency);
        var statusAfter = await ServerStatusAsync(app.ConnectionString);
        // The reference in the same run: one pooled MySqlConnector primary-key read of the event row as JSON, no EF, no auth.
        await Load.RunAsync(http, () => new HttpRequestMessage(HttpMethod.Get, $"/bench/raw-event?id={eventId}"), concurrency, TimeSpan.FromSeconds(2));
        var raw = await Load.RunAsync(http, () => new HttpRequestMessage(HttpMethod.Get, $"/bench/raw-event?id={eventId}"), concurrency, TimeSpan.FromSeconds(5));

        await using var db = app.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == eventId);
        var confirmed = await db.EventSignups.CountAsync(s => s.EventId == eventId && s.Status == SignupStatus.Confirmed);
        var waitlisted = await db.EventSignups.CountAsync(s => s.EventId == eventId && s.Status == SignupStatus.Waitlisted);
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        var ok = raw.Failures == 0 && failures == 0 && confirmed == seats && waitlisted == residents - seats && e.Confirmed == seats && e.Waitlisted == residents - seats;
        Console.WriteLine($"events-signup: {residents} residents, {seats} seats, {concurrency} in flight, MariaDB, HTTP over loopback, "
            + (gate ? "Redis gate" : "database path only (gate off)"));
        var rate = residents / elapsed.TotalSeconds;
        Console.WriteLine($"  {rate:N0} sign-ups/s over {elapsed.TotalSeconds:N2} s");
        Console.WriteLine($"  reference, raw PK query + JSON on the same Kestrel: {raw}");
        Console.WriteLine($"  sign-ups / reference = {rate / (raw.Requests / raw.Seconds):N3}");
        // The database path moves the event's generation once per sign-up; the gate only when it is rebuilt.
        Console.WriteLine($"  event generation moved {e.LockVersion} times (gate rebuilds + database-path sign-ups)");
        Console.WriteLine($"  latency ms: p50 {P(0.50):N1}  p90 {P(0.90):N1}  p99 {P(0.99):N1}  max {latencies[^1]:N1}");
        Console.WriteLine($"  final: confirmed {confirmed} (counter {e.Confirmed}), waitlisted {waitlisted} (counter {e.Waitlisted}), failed requests {failures}");
        // Where the time goes on the database side: statements per sign-up and time spent waiting for row locks.
        double Per(string name) => (statusAfter[name] - statusBefore[name]) / (double)residents;
        Console.WriteLine($"  per sign-up: {Per("Com_select"):N2} selects, {Per("Com_update"):N2} updates, {Per("Com_insert"):N2} inserts, "
            + $"{Per("Com_commit") + Per("Com_rollback"):N2} transactions, {Per("Questions"):N2} statements in all");
        var lockMs = statusAfter["Innodb_row_lock_time"] - statusBefore["Innodb_row_lock_time"];
        Console.WriteLine($"  row-lock waits: {statusAfter["Innodb_row_lock_waits"] - statusBefore["Innodb_row_lock_waits"]:N0}, "
            + $"{lockMs:N0} ms in all = {lockMs / 1000.0 / elapsed.TotalSeconds:N1} requests waiting on average");
        Console.WriteLine(ok ? "  counts exact" : "  COUNTS WRONG");
        return ok ? 0 : 1;
    }

    private static async Task<Dictionary<string, long>> ServerStatusAsync(string connectionString)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_select', 'Com_update', 'Com_insert', "
            + "'Com_commit', 'Com_rollback', 'Innodb_row_lock_time', 'Innodb_row_lock_waits')", c);
        await using var r = await cmd.ExecuteReaderAsync();
        var status = new Dictionary<string, long>();
        while (await r.ReadAsync())
        {
            status[r.GetString(0)] = long.Parse(r.GetString(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return status;
    }

    private static async Task<long> CreateEventAsync(HttpClient admin, long estateId, int capacity)
    {
        var now = DateTimeOffset.UtcNow;
        var created = await admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId,
            title = "bench",
            startsAt = now.AddDays(1),
            endsAt = now.AddDays(1).AddHours(2),
            signupOpensAt = now.AddHours(-1),
            signupClosesAt = now.AddHours(20),
            capacity,
        });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Every resident signs up once, with <paramref name="concurrency"/> requests in flight.</summary>
    private static async Task<(double[] Latencies, int Failures, TimeSpan Elapsed)> SignUpAllAsync(
        HttpClient http, long eventId, List<(long Id, string Token)> people, int concurrency)
    {
        var latencies = new double[people.Count];
        var failures = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= people.Count)
                {
                    return;
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{eventId}/signups");
                request.Headers.Authorization = new("Bearer", people[i].Token);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return (latencies, failures, clock.Elapsed);
    }
}

/// <summary>The reference for sign-ups: the event row by primary key through one pooled MySqlConnector connection, as JSON.</summary>
internal sealed class RawEventBaseline(string connectionString) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Map("/bench/raw-event", b => b.Run(async http =>
        {
            var id = long.Parse(http.Request.Query["id"]!, System.Globalization.CultureInfo.InvariantCulture);
            await using var c = new MySqlConnection(connectionString);
            await c.OpenAsync(http.RequestAborted);
            await using var cmd = new MySqlCommand("SELECT Id, Title, Capacity, Confirmed, Waitlisted FROM Events WHERE Id = @id", c);
            cmd.Parameters.AddWithValue("@id", id);
            await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
            if (!await r.ReadAsync(http.RequestAborted))
            {
                http.Response.StatusCode = 404;
                return;
            }

            await http.Response.WriteAsJsonAsync(new { id = r.GetInt64(0), title = r.GetString(1), capacity = r.GetInt32(2), confirmed = r.GetInt32(3), waitlisted = r.GetInt32(4) });
        }));
        next(app);
    };
}
