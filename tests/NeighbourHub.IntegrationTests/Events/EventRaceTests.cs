using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Events;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// Two app instances on real Kestrel ports sharing one MariaDB and Redis, and residents racing real
/// HTTP requests across both: the seat count holds in the database, not in any one process.
/// </summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    public NeighbourHubAppFactory InstanceA { get; private set; } = null!;
    public NeighbourHubAppFactory InstanceB { get; private set; } = null!;
    public TestOrg Org { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // One key prefix for both, as in production (data-protection keys and the sign-up gate are shared through it).
        var shared = new Dictionary<string, string?> { ["Redis:KeyPrefix"] = $"nh-two-{Guid.NewGuid():N}:" };
        InstanceA = await NeighbourHubAppFactory.OnMariaDbAsync("nh_two_instances", wechat: null, shared);
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
    }
}

[CollectionDefinition(Name)]
public sealed class TwoInstancesCollection : ICollectionFixture<TwoInstancesFixture>
{
    public const string Name = "two app instances";
}

[Collection(TwoInstancesCollection.Name)]
public sealed class EventRaceTests(TwoInstancesFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task<long> NewEventAsync(int capacity)
    {
        var admin = await fixture.InstanceA.AdminClientAsync("adminA");
        return await EventTests.CreateEventAsync(admin, fixture.Org.EstateA1, capacity);
    }

    /// <summary>Real HTTP clients, alternating between the two instances.</summary>
    private List<HttpClient> Clients(IEnumerable<(long Id, string Token)> residents) =>
        residents.Select((r, i) => (i % 2 == 0 ? fixture.InstanceA : fixture.InstanceB).ClientWithToken(r.Token)).ToList();

    [Fact]
    public async Task Five_hundred_residents_at_once_for_fifty_seats_fill_exactly_fifty_and_queue_the_rest_in_order()
    {
        var id = await NewEventAsync(capacity: 50);
        var clients = Clients(await fixture.InstanceA.CreateResidentsAsync("burst", 500));
        using var start = new SemaphoreSlim(0);
        var requests = clients.Select(async c =>
        {
            await start.WaitAsync();
            var response = await c.PostAsync($"/api/v1/events/{id}/signups", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }).ToList();
        start.Release(clients.Count);
        var answers = await Task.WhenAll(requests);

        Assert.Equal(50, answers.Count(a => a.GetProperty("status").GetString() == "confirmed"));
        var positions = answers.Where(a => a.GetProperty("status").GetString() == "waitlisted").Select(a => a.GetProperty("position").GetInt32()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 450), positions);

        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        Assert.Equal((50, 450), (e.Confirmed, e.Waitlisted));
        Assert.Equal(50, await db.EventSignups.CountAsync(s => s.EventId == id && s.Status == SignupStatus.Confirmed));
        var tickets = await db.EventSignups.Where(s => s.EventId == id && s.Status == SignupStatus.Waitlisted).Select(s => s.WaitlistTicket!.Value).ToListAsync();
        Assert.Equal(450, tickets.Distinct().Count());
    }

    [Fact]
    public async Task Cancellations_during_a_burst_promote_the_earliest_waiting_residents_and_never_overbook()
    {
        var id = await NewEventAsync(capacity: 10);
        var early = Clients(await fixture.InstanceA.CreateResidentsAsync("early", 10));
        foreach (var c in early)
        {
            Assert.Equal(HttpStatusCode.Created, (await c.PostAsync($"/api/v1/events/{id}/signups", null)).StatusCode);
        }

        var late = Clients(await fixture.InstanceA.CreateResidentsAsync("late", 120));
        using var start = new SemaphoreSlim(0);
        // Cancellations begin once a queue has formed (20 late sign-ups answered), while the other 100 are still arriving.
        var queueFormed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        var signups = late.Select(async c =>
        {
            await start.WaitAsync();
            var code = (await c.PostAsync($"/api/v1/events/{id}/signups", null)).StatusCode;
            if (Interlocked.Increment(ref answered) == 20)
            {
                queueFormed.SetResult();
            }

            return code;
        });
        var cancels = early.Take(6).Select(async c =>
        {
            await start.WaitAsync();
            await queueFormed.Task;
            return (await c.DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode;
        });
        var all = signups.Concat(cancels).ToList();
        start.Release(all.Count);
        var codes = await Task.WhenAll(all);
        Assert.All(codes.Take(120), c => Assert.Equal(HttpStatusCode.Created, c));
        Assert.All(codes.Skip(120), c => Assert.Equal(HttpStatusCode.OK, c));

        await using var db = fixture.InstanceA.SystemDb();
        var e = await db.Events.SingleAsync(x => x.Id == id);
        var rows = await db.EventSignups.Where(s => s.EventId == id).ToListAsync();
        Assert.Equal(10, e.Confirmed);
        Assert.Equal(10, rows.Count(s => s.Status == SignupStatus.Confirmed));
        Assert.Equal(114, e.Waitlisted);
        Assert.Equal(114, rows.Count(s => s.Status == SignupStatus.Waitlisted));

        // Promotion follows the queue: everyone still waiting joined it after everyone promoted from it.
        var promoted = rows.Where(s => s.PromotedAt is not null).Select(s => s.WaitlistTicket!.Value).ToList();
        var stillWaiting = rows.Where(s => s.Status == SignupStatus.Waitlisted).Select(s => s.WaitlistTicket!.Value).ToList();
        Assert.NotEmpty(promoted);
        Assert.True(promoted.Max() < stillWaiting.Min(), "a later arrival was promoted before an earlier one");
        Assert.Equal(promoted.Count + stillWaiting.Count, promoted.Concat(stillWaiting).Distinct().Count());
    }
}
