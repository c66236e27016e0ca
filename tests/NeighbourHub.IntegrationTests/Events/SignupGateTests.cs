using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Hosting;
using StackExchange.Redis;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// A Redis server of the test's own (the suite's shared one must not be flushed or killed under other tests):
/// the real redis-server binary on a free loopback port, stopped by its process id.
/// </summary>
public sealed class PrivateRedis : IDisposable
{
    private readonly Process _process;

    public string Endpoint { get; }

    private PrivateRedis(Process process, string endpoint) => (_process, Endpoint) = (process, endpoint);

    public static async Task<PrivateRedis> StartAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var process = Process.Start(new ProcessStartInfo("redis-server",
            $"--bind 127.0.0.1 --port {port} --save \"\" --appendonly no --daemonize no --loglevel warning")
        { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("redis-server did not start; run the suite with deploy/test.sh, which installs it.");
        var endpoint = $"127.0.0.1:{port}";
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync(endpoint);
                await probe.GetDatabase().PingAsync();
                return new PrivateRedis(process, endpoint);
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException($"redis-server on {endpoint} never answered.");
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync($"{Endpoint},allowAdmin=true");

    /// <summary>Kills the server outright, as a crash would: no shutdown, connections reset.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public bool Running => !_process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

/// <summary>Two app instances on one MariaDB database and one (private) Redis, sharing the gate's key prefix as production instances do.</summary>
public class GateInstances : IAsyncLifetime
{
    public PrivateRedis Redis { get; private set; } = null!;
    public NeighbourHubAppFactory InstanceA { get; private set; } = null!;
    public NeighbourHubAppFactory InstanceB { get; private set; } = null!;
    public TestOrg Org { get; private set; } = null!;

    protected virtual string Database => "nh_signup_gate";

    public async Task InitializeAsync()
    {
        Redis = await PrivateRedis.StartAsync();
        var shared = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = Redis.Endpoint, ["Redis:KeyPrefix"] = "nh-gate-test:", ["Events:SignupGate"] = "true" };
        InstanceA = await NeighbourHubAppFactory.OnMariaDbAsync(Database, wechat: null, shared);
        InstanceB = new NeighbourHubAppFactory(InstanceA.Provider, InstanceA.ConnectionString, wechat: null, useRedis: true, shared);
        foreach (var app in new[] { InstanceA, InstanceB })
        {
            app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            app.StartServer();
        }

        Org = await TestOrg.SeedAsync(InstanceA);
    }

    public async Task DisposeAsync()
    {
        await InstanceA.DisposeAsync();
        await InstanceB.DisposeAsync();
        Redis.Dispose();
    }

    public async Task<long> NewEventAsync(int capacity)
    {
        var admin = await InstanceA.AdminClientAsync("adminA");
        return await EventTests.CreateEventAsync(admin, Org.EstateA1, capacity);
    }

    /// <summary>Real HTTP clients, alternating between the two instances.</summary>
    public async Task<List<(long Id, HttpClient Client)>> ResidentsAsync(string prefix, int count) =>
        (await InstanceA.CreateResidentsAsync(prefix, count))
        .Select((r, i) => (r.Id, (i % 2 == 0 ? InstanceA : InstanceB).ClientWithToken(r.Token))).ToList();

    /// <summary>The gate's state for an event as Redis holds it (generation, seats taken, waiting), or null when absent.</summary>
    public async Task<(int Generation, int Confirmed, long Waiting)?> GateStateAsync(long eventId)
    {
        await using var redis = await Redis.ConnectAsync();
        var db = redis.GetDatabase();
        var s = await db.HashGetAllAsync($"nh-gate-test:signup:{{{eventId}}}:s");
        if (s.Length == 0)
        {
            return null;
        }

        var map = s.ToDictionary(x => (string)x.Name!, x => (long)x.Value);
        return ((int)map["gen"], (int)map["confirmed"], await db.SortedSetLengthAsync($"nh-gate-test:signup:{{{eventId}}}:q"));
    }
}

public sealed class SignupGateFixture : GateInstances
{
}

public sealed class SignupGateLossFixture : GateInstances
{
    protected override string Database => "nh_signup_gate_loss";
}

/// <summary>
/// Sign-ups through the Redis gate (ADR 0011), over real HTTP on two instances, MariaDB and Redis over TCP:
/// exact seats, the waiting list in the order the gate admitted, repeats that answer the same, a gate rebuilt from
/// the database after it was flushed, and cancellations that promote in ticket order.
/// </summary>
public sealed class SignupGateTests(SignupGateFixture fixture) : IClassFixture<SignupGateFixture>
{
    private static async Task<(HttpStatusCode Code, JsonElement Body)> SignUpAsync(HttpClient c, long eventId)
    {
        var response = await c.PostAsync($"/api/v1/events/{eventId}/signups", null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string Status(JsonElement a) => a.GetProperty("status").GetString()!;

    [Fact]
    public async Task Six_hundred_residents_on_two_instances_fill_sixty_seats_and_wait_in_the_order_the_gate_admitted_them()
    {
        var id = await fixture.NewEventAsync(capacity: 60);
        var people = await fixture.ResidentsAsync("gate-burst", 600);
        using var start = new SemaphoreSlim(0);
        var requests = people.Select(async p =>
        {
            await start.WaitAsync();
            return (p.Id, Answer: await SignUpAsync(p.Client, id));
        }).ToList();
        start.Release(people.Count);
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Answer.Code));
        Assert.Equal(60, answers.Count(a => Status(a.Answer.Body) == "confirmed"));
        var told = answers.Where(a => Status(a.Answer.Body) == "waitlisted")
            .ToDictionary(a => a.Id, a => a.Answer.Body.GetProperty("position").GetInt32());
        Assert.Equal(Enumerable.Range(1, 540), told.Values.Order());

        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((60, 540), (e.Confirmed, e.Waitlisted));
        var rows = await db.EventSignups.Where(s => s.EventId == id).ToListAsync();
        Assert.Equal(600, rows.Select(r => r.ResidentId).Distinct().Count());
        Assert.Equal(60, rows.Count(r => r.Status == SignupStatus.Confirmed && r.WaitlistTicket is null));
        // The place each resident was told is the place the database keeps them in.
        var queue = rows.Where(r => r.Status == SignupStatus.Waitlisted).OrderBy(r => r.WaitlistTicket).Select(r => r.ResidentId).ToList();
        Assert.Equal(540, queue.Count);
        Assert.All(queue.Select((resident, i) => (resident, i)), x => Assert.Equal(x.i + 1, told[x.resident]));
        // The times recorded are the gate's (one clock for both instances): seats before tickets, tickets in order.
        var times = rows.Where(r => r.Status == SignupStatus.Waitlisted).OrderBy(r => r.WaitlistTicket).Select(r => r.SignedUpAt).ToList();
        Assert.Equal(times.Order(), times);
        Assert.True(rows.Where(r => r.Status == SignupStatus.Confirmed).Max(r => r.SignedUpAt) <= times[0]);

        // Decided by the gate, not by the database path (which moves the event's generation once per sign-up).
        Assert.True(e.LockVersion < 20, $"generation moved {e.LockVersion} times: the gate was bypassed");
        Assert.Equal((e.LockVersion, 60, 540L), (await fixture.GateStateAsync(id))!.Value);
    }

    [Fact]
    public async Task A_resident_racing_themselves_on_both_instances_gets_one_ticket_and_the_same_answer_every_time()
    {
        var id = await fixture.NewEventAsync(capacity: 1);
        var first = (await fixture.ResidentsAsync("gate-seated", 1))[0];
        Assert.Equal("confirmed", Status((await SignUpAsync(first.Client, id)).Body));
        var waiting = (await fixture.ResidentsAsync("gate-ahead", 2))[1];
        Assert.Equal(1, (await SignUpAsync(waiting.Client, id)).Body.GetProperty("position").GetInt32());

        var (residentId, token) = (await fixture.InstanceA.CreateResidentsAsync("gate-self", 1))[0];
        var clients = Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? fixture.InstanceA : fixture.InstanceB).ClientWithToken(token)).ToList();
        using var start = new SemaphoreSlim(0);
        var requests = clients.Select(async c =>
        {
            await start.WaitAsync();
            return await SignUpAsync(c, id);
        }).ToList();
        start.Release(clients.Count);
        var answers = await Task.WhenAll(requests);

        Assert.Single(answers, a => a.Code == HttpStatusCode.Created);
        Assert.Equal(19, answers.Count(a => a.Code == HttpStatusCode.OK));
        Assert.All(answers, a => Assert.Equal("waitlisted", Status(a.Body)));
        Assert.All(answers, a => Assert.Equal(2, a.Body.GetProperty("position").GetInt32()));

        await using var db = fixture.InstanceA.SystemDb();
        var row = await db.EventSignups.SingleAsync(s => s.EventId == id && s.ResidentId == residentId);
        Assert.Equal(SignupStatus.Waitlisted, row.Status);
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((1, 2, 2), (e.Confirmed, e.Waitlisted, e.WaitlistSeq));
        Assert.Equal(2, row.WaitlistTicket);
    }

    /// <summary>
    /// A two-seat event whose first seat is recorded and whose second the gate gave, <paramref name="ago"/> before now,
    /// to an instance that died before recording it (people[1]); people[2] has not asked yet.
    /// </summary>
    private async Task<(long Event, List<(long Id, HttpClient Client)> People)> SecondSeatNeverRecordedAsync(string prefix, TimeSpan ago)
    {
        var id = await fixture.NewEventAsync(capacity: 2);
        var people = await fixture.ResidentsAsync(prefix, 3);
        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(people[0].Client, id)).Code);
        var services = fixture.InstanceA.Services;
        var decided = await services.GetRequiredService<SignupGate>().AdmitAsync(id, people[1].Id,
            services.GetRequiredService<TimeProvider>().GetUtcNow() - ago, eligibilityChecked: false);
        Assert.Equal((GateOutcome.Admitted, SignupStatus.Confirmed), (decided.Outcome, decided.Status));
        return (id, people);
    }

    /// <summary>
    /// The gate decides, then the instance that asked dies before MariaDB records the decision (the kill test found
    /// this): the resident's client asks again, elsewhere. The retry must record the seat, not answer from the gate alone.
    /// </summary>
    [Fact]
    public async Task A_seat_the_gate_gave_to_an_instance_that_died_before_recording_it_is_recorded_when_the_resident_asks_again()
    {
        var (id, people) = await SecondSeatNeverRecordedAsync("gate-died", TimeSpan.Zero);

        var retry = await SignUpAsync(people[1].Client, id);

        Assert.Equal((HttpStatusCode.Created, "confirmed"), (retry.Code, Status(retry.Body)));
        await using var db = fixture.InstanceA.SystemDb();
        Assert.Equal(SignupStatus.Confirmed, (await db.EventSignups.SingleAsync(s => s.EventId == id && s.ResidentId == people[1].Id)).Status);
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((2, 0), (e.Confirmed, e.Waitlisted));
        var again = await SignUpAsync(people[1].Client, id);
        Assert.Equal((HttpStatusCode.OK, "confirmed"), (again.Code, Status(again.Body)));
    }

    /// <summary>The same death, and the resident never asks again: once the lease runs out the seat goes to the next resident.</summary>
    [Fact]
    public async Task A_seat_the_gate_gave_and_nobody_recorded_goes_back_on_sale_when_its_lease_runs_out()
    {
        // Decided longer ago than the lease and never recorded: the gate's count says the event is full.
        var (id, people) = await SecondSeatNeverRecordedAsync("gate-lease", SignupGate.RecordingLease + TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await fixture.GateStateAsync(id))!.Value.Confirmed);

        var next = await SignUpAsync(people[2].Client, id);

        Assert.Equal((HttpStatusCode.Created, "confirmed"), (next.Code, Status(next.Body)));
        var late = await SignUpAsync(people[1].Client, id);
        Assert.Equal((HttpStatusCode.Created, "waitlisted", 1), (late.Code, Status(late.Body), late.Body.GetProperty("position").GetInt32()));
        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((2, 1), (e.Confirmed, e.Waitlisted));
        Assert.Equal((e.LockVersion, 2, 1L), (await fixture.GateStateAsync(id))!.Value);
    }

    [Fact]
    public async Task A_flushed_gate_is_rebuilt_from_the_database_and_keeps_counting_where_it_stood()
    {
        var id = await fixture.NewEventAsync(capacity: 5);
        var people = await fixture.ResidentsAsync("gate-flush", 12);
        foreach (var p in people.Take(8))
        {
            Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(p.Client, id)).Code);
        }

        var before = await fixture.GateStateAsync(id);
        Assert.Equal(5, before?.Confirmed);
        await using (var redis = await fixture.Redis.ConnectAsync())
        {
            await redis.GetServers()[0].FlushAllDatabasesAsync();
        }

        Assert.Null(await fixture.GateStateAsync(id));
        // The seventh resident (second in line) asks again: same place, nothing new.
        var again = await SignUpAsync(people[6].Client, id);
        Assert.Equal(HttpStatusCode.OK, again.Code);
        Assert.Equal(2, again.Body.GetProperty("position").GetInt32());
        var later = new List<int>();
        foreach (var p in people.Skip(8))
        {
            var (code, body) = await SignUpAsync(p.Client, id);
            Assert.Equal(HttpStatusCode.Created, code);
            later.Add(body.GetProperty("position").GetInt32());
        }

        Assert.Equal(new[] { 4, 5, 6, 7 }, later);
        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((5, 7, 7), (e.Confirmed, e.Waitlisted, e.WaitlistSeq));
        var tickets = await db.EventSignups.Where(s => s.EventId == id && s.Status == SignupStatus.Waitlisted)
            .OrderBy(s => s.WaitlistTicket).Select(s => new { s.ResidentId, s.WaitlistTicket }).ToListAsync();
        Assert.Equal(people.Skip(5).Select(p => p.Id), tickets.Select(t => t.ResidentId));
        Assert.Equal(Enumerable.Range(1, 7), tickets.Select(t => t.WaitlistTicket!.Value));
        Assert.Equal((e.LockVersion, 5, 7L), (await fixture.GateStateAsync(id))!.Value);
    }

    [Fact]
    public async Task Cancelling_on_the_gate_path_promotes_the_first_in_line_and_newcomers_join_the_end()
    {
        var id = await fixture.NewEventAsync(capacity: 3);
        var people = await fixture.ResidentsAsync("gate-cancel", 8);
        foreach (var p in people)
        {
            Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(p.Client, id)).Code);
        }

        // Two seat-holders leave, through the other instance than the one they signed up on.
        Assert.Equal(HttpStatusCode.OK, (await people[0].Client.DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await people[1].Client.DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode);

        // The first two waiting (4th and 5th to sign up) hold the seats now, and say so when they ask again.
        Assert.Equal("confirmed", Status((await SignUpAsync(people[3].Client, id)).Body));
        Assert.Equal("confirmed", Status((await SignUpAsync(people[4].Client, id)).Body));
        var sixth = await SignUpAsync(people[5].Client, id);
        Assert.Equal((HttpStatusCode.OK, "waitlisted", 1), (sixth.Code, Status(sixth.Body), sixth.Body.GetProperty("position").GetInt32()));

        var newcomer = (await fixture.ResidentsAsync("gate-newcomer", 1))[0];
        var joined = await SignUpAsync(newcomer.Client, id);
        Assert.Equal((HttpStatusCode.Created, "waitlisted", 4), (joined.Code, Status(joined.Body), joined.Body.GetProperty("position").GetInt32()));
        // The one who left comes back: at the end of the line.
        var back = await SignUpAsync(people[0].Client, id);
        Assert.Equal((HttpStatusCode.Created, "waitlisted", 5), (back.Code, Status(back.Body), back.Body.GetProperty("position").GetInt32()));

        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((3, 5), (e.Confirmed, e.Waitlisted));
        var rows = await db.EventSignups.Where(s => s.EventId == id).ToListAsync();
        Assert.Equal(new[] { people[3].Id, people[4].Id }, rows.Where(r => r.PromotedAt is not null).OrderBy(r => r.WaitlistTicket).Select(r => r.ResidentId));
        Assert.Equal(new[] { people[5].Id, people[6].Id, people[7].Id, newcomer.Id, people[0].Id },
            rows.Where(r => r.Status == SignupStatus.Waitlisted).OrderBy(r => r.WaitlistTicket).Select(r => r.ResidentId));
    }
}

/// <summary>The Redis server dies in the middle of a burst: sign-ups carry on through the database, still exact.</summary>
public sealed class SignupGateLossTests(SignupGateLossFixture fixture) : IClassFixture<SignupGateLossFixture>
{
    [Fact]
    public async Task Killing_Redis_mid_burst_falls_back_to_the_database_and_never_oversells()
    {
        var id = await fixture.NewEventAsync(capacity: 50);
        var people = await fixture.ResidentsAsync("gate-loss", 400);
        using var start = new SemaphoreSlim(0);
        var answered = 0;
        var killed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = people.Select(async p =>
        {
            await start.WaitAsync();
            var response = await p.Client.PostAsync($"/api/v1/events/{id}/signups", null);
            if (Interlocked.Increment(ref answered) == 120)
            {
                fixture.Redis.Kill();
                killed.SetResult(answered);
            }

            return response.StatusCode;
        }).ToList();
        start.Release(people.Count);
        var codes = await Task.WhenAll(requests);

        Assert.False(fixture.Redis.Running);
        Assert.True(await killed.Task < 400, "Redis was not killed during the burst");
        Assert.All(codes, c => Assert.Equal(HttpStatusCode.Created, c));
        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        var rows = await db.EventSignups.Where(s => s.EventId == id).ToListAsync();
        Assert.Equal((50, 350), (e.Confirmed, e.Waitlisted));
        Assert.Equal(400, rows.Select(r => r.ResidentId).Distinct().Count());
        Assert.Equal(50, rows.Count(r => r.Status == SignupStatus.Confirmed));
        var tickets = rows.Where(r => r.Status == SignupStatus.Waitlisted).Select(r => r.WaitlistTicket!.Value).ToList();
        Assert.Equal(350, tickets.Distinct().Count());
        // Both paths took part: the gate before the kill (no generation move), the database after it (one move each).
        Assert.InRange(e.LockVersion, 1, 399);

        // Redis gone for good: sign-ups, repeats and cancellations still answer.
        var late = (await fixture.ResidentsAsync("gate-loss-late", 1))[0];
        var answer = await late.Client.PostAsync($"/api/v1/events/{id}/signups", null);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        Assert.Equal(351, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("position").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await people[0].Client.PostAsync($"/api/v1/events/{id}/signups", null)).StatusCode);

        // ...so the instance stays in rotation: readiness is Degraded (200) and names Redis, not Unhealthy (503), which
        // would take every instance sharing this Redis out of the load balancer at once.
        var ready = await fixture.InstanceB.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var health = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
        var redis = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
        Assert.Equal("Degraded", redis.GetProperty("status").GetString());
        Assert.Equal(RedisHealthCheck.Unreachable, redis.GetProperty("description").GetString());
        var database = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
    }
}
