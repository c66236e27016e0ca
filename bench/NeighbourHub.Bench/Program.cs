using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Events;

// Benchmarks that need the whole stack. Usage:
//   bench/run.sh events-signup [residents] [seats] [concurrency]
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
        residents: ArgOr(1, 5000), seats: ArgOr(2, 200), concurrency: ArgOr(3, 64)),
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
    public static async Task<int> RunAsync(int residents, int seats, int concurrency)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_events", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
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
        var (latencies, failures, elapsed) = await SignUpAllAsync(http, eventId, people, concurrency);

        await using var db = app.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == eventId);
        var confirmed = await db.EventSignups.CountAsync(s => s.EventId == eventId && s.Status == SignupStatus.Confirmed);
        var waitlisted = await db.EventSignups.CountAsync(s => s.EventId == eventId && s.Status == SignupStatus.Waitlisted);
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        var ok = failures == 0 && confirmed == seats && waitlisted == residents - seats && e.Confirmed == seats && e.Waitlisted == residents - seats;
        Console.WriteLine($"events-signup: {residents} residents, {seats} seats, {concurrency} in flight, MariaDB, HTTP over loopback");
        Console.WriteLine($"  {residents / elapsed.TotalSeconds:N0} sign-ups/s over {elapsed.TotalSeconds:N2} s");
        Console.WriteLine($"  latency ms: p50 {P(0.50):N1}  p90 {P(0.90):N1}  p99 {P(0.99):N1}  max {latencies[^1]:N1}");
        Console.WriteLine($"  final: confirmed {confirmed} (counter {e.Confirmed}), waitlisted {waitlisted} (counter {e.Waitlisted}), failed requests {failures}");
        Console.WriteLine(ok ? "  counts exact" : "  COUNTS WRONG");
        return ok ? 0 : 1;
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
