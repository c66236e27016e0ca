using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Notifications;

namespace NeighbourHub.IntegrationTests;

public sealed class EventTests(AppFixture fixture) : AppTest(fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>Creates an event through the admin API; by default open for sign-up now and starting tomorrow.</summary>
    internal static async Task<long> CreateEventAsync(HttpClient admin, long estateId, int capacity, bool verifiedOnly = false,
        bool volunteer = false, int points = 0, DateTimeOffset? startsAt = null, DateTimeOffset? opensAt = null, DateTimeOffset? closesAt = null,
        DateTimeOffset? cancelDeadline = null)
    {
        var starts = startsAt ?? Now.AddDays(1);
        var response = await admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId,
            title = "邻里百家宴",
            description = "一起包饺子",
            location = "小区广场",
            startsAt = starts,
            endsAt = starts.AddHours(3),
            signupOpensAt = opensAt ?? starts.AddDays(-3),
            signupClosesAt = closesAt ?? starts.AddHours(1),
            cancelDeadline,
            capacity,
            verifiedOnly,
            isVolunteer = volunteer,
            pointsAwarded = points,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Signing_up_again_answers_the_same_and_never_takes_a_second_seat()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(admin, Org.EstateA1, capacity: 1);
        var first = await App.ResidentClientAsync("wx-ev-first");
        var second = await App.ResidentClientAsync("wx-ev-second");

        var a = await first.PostAsync($"/api/v1/events/{id}/signups", null);
        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal("confirmed", (await Json(a)).GetProperty("status").GetString());
        var again = await first.PostAsync($"/api/v1/events/{id}/signups", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("confirmed", (await Json(again)).GetProperty("status").GetString());

        var b = await Json(await second.PostAsync($"/api/v1/events/{id}/signups", null));
        Assert.Equal("waitlisted", b.GetProperty("status").GetString());
        Assert.Equal(1, b.GetProperty("position").GetInt32());

        var view = await Json(await second.GetAsync($"/api/v1/events/{id}"));
        Assert.Equal(1, view.GetProperty("confirmed").GetInt32());
        Assert.Equal(1, view.GetProperty("waitlisted").GetInt32());
        Assert.True(view.GetProperty("signupOpen").GetBoolean());
        Assert.Equal("waitlisted", view.GetProperty("mySignup").GetProperty("status").GetString());

        // The seat-holder cancels: the waiting resident is promoted at once and told through the outbox.
        Assert.Equal(HttpStatusCode.OK, (await first.DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode);
        view = await Json(await second.GetAsync($"/api/v1/events/{id}"));
        Assert.Equal("confirmed", view.GetProperty("mySignup").GetProperty("status").GetString());
        Assert.Equal(0, view.GetProperty("waitlisted").GetInt32());

        await App.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync(CancellationToken.None);
        await using var db = App.SystemDb();
        var message = await db.OutboxMessages.SingleAsync(m => m.Topic == OutboxTopics.SubscribeMessage);
        Assert.Equal("sent", message.Outcome);
        Assert.Contains(WeChat.SentMessages, m => m.GetProperty("template_id").GetString() == "tpl-promoted" && m.GetProperty("touser").GetString() == "o-ev-second");

        // Cancelling twice is a conflict, and signing up again after cancelling works.
        Assert.Equal(HttpStatusCode.Conflict, (await first.DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode);
        Assert.Equal("waitlisted", (await Json(await first.PostAsync($"/api/v1/events/{id}/signups", null))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Outside_the_window_or_not_eligible_gets_a_problem_that_says_why()
    {
        var admin = await App.AdminClientAsync("adminA");
        var notYet = await CreateEventAsync(admin, Org.EstateA1, 10, opensAt: Now.AddHours(2));
        var verified = await CreateEventAsync(admin, Org.EstateA1, 10, verifiedOnly: true);
        var resident = await App.ResidentClientAsync("wx-ev-outsider");

        var early = await resident.PostAsync($"/api/v1/events/{notYet}/signups", null);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("报名将于", (await Json(early)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A verified-only event is invisible to a stranger, hence 404 rather than 403.
        Assert.Equal(HttpStatusCode.NotFound, (await resident.PostAsync($"/api/v1/events/{verified}/signups", null)).StatusCode);
        // A verified resident of another estate of the same community sees community events but not this one's seats.
        var id = await ApplyAsync(resident, Org.HouseholdsA2[0]);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await resident.PostAsync($"/api/v1/events/{verified}/signups", null)).StatusCode);

        var neighbour = await App.ResidentClientAsync("wx-ev-neighbour");
        var own = await ApplyAsync(neighbour, Org.HouseholdsA1[1]);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{own}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await neighbour.PostAsync($"/api/v1/events/{verified}/signups", null)).StatusCode);
    }

    [Fact]
    public async Task Tickets_are_signed_check_in_twice_is_harmless_and_altered_tickets_are_refused()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(admin, Org.EstateA1, 1, startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        var holder = await App.ResidentClientAsync("wx-ev-holder");
        var waiter = await App.ResidentClientAsync("wx-ev-waiter");
        await holder.PostAsync($"/api/v1/events/{id}/signups", null);
        await waiter.PostAsync($"/api/v1/events/{id}/signups", null);

        Assert.Equal(HttpStatusCode.Conflict, (await waiter.GetAsync($"/api/v1/events/{id}/ticket")).StatusCode);
        var ticket = (await Json(await holder.GetAsync($"/api/v1/events/{id}/ticket"))).GetProperty("qrPayload").GetString()!;

        var altered = ticket[..^3] + (ticket[^3] == 'A' ? "BBB" : "AAA");
        var forgedResident = ticket.Replace($".{(await Json(await holder.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64()}.", ".1.", StringComparison.Ordinal);
        foreach (var bad in new[] { altered, forgedResident, "garbage", "NHT1.1.2.3.x" })
        {
            var refused = await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await Json(refused)).GetProperty("errors").TryGetProperty("qrPayload", out _));
        }

        var first = await Json(await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = ticket }));
        Assert.False(first.GetProperty("alreadyCheckedIn").GetBoolean());
        var second = await Json(await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = ticket }));
        Assert.True(second.GetProperty("alreadyCheckedIn").GetBoolean());
        Assert.Equal(first.GetProperty("checkedInAt").GetDateTimeOffset(), second.GetProperty("checkedInAt").GetDateTimeOffset());

        // A ticket for another event does not open this one.
        var other = await CreateEventAsync(admin, Org.EstateA1, 5, startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/v1/admin/events/{other}/checkins", new { qrPayload = ticket })).StatusCode);
    }

    [Fact]
    public async Task The_sign_up_list_and_the_desk_name_residents_by_their_verified_name_and_flat_not_their_nickname()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(admin, Org.EstateA1, 5, startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        var verified = await App.ResidentClientAsync("wx-ev-named");
        var flat = Org.HouseholdsA1[3];
        var residence = await ApplyAsync(verified, flat, realName: "李小红");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        var stranger = await App.ResidentClientAsync("wx-ev-unnamed");
        await verified.PostAsync($"/api/v1/events/{id}/signups", null);
        await stranger.PostAsync($"/api/v1/events/{id}/signups", null);
        var strangerNickname = (await Json(await stranger.GetAsync("/api/v1/me"))).GetProperty("nickname").GetString();
        string address;
        await using (var db = App.SystemDb())
        {
            address = await (from h in db.Households
                             where h.Id == flat
                             join u in db.Units on h.UnitId equals u.Id
                             join b in db.Buildings on h.BuildingId equals b.Id
                             select b.Name + u.Name + h.Room).SingleAsync();
        }

        // Staff who verify residents read the full name, as on the roster; a resident with no approved residence keeps
        // the nickname and no flat.
        var rows = (await Json(await admin.GetAsync($"/api/v1/admin/events/{id}/signups"))).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(("李小红", address), (rows[0].GetProperty("name").GetString(), rows[0].GetProperty("flat").GetString()));
        Assert.Equal(strangerNickname, rows[1].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("flat").ValueKind);

        // The owners' committee reads the list masked.
        var committee = await App.AdminClientAsync("committeeA1");
        var masked = (await Json(await committee.GetAsync($"/api/v1/admin/events/{id}/signups"))).GetProperty("items").EnumerateArray().First();
        Assert.Equal(("李**", address), (masked.GetProperty("name").GetString(), masked.GetProperty("flat").GetString()));

        // The desk answers with the same name and flat, checking in or already checked in.
        var ticket = (await Json(await verified.GetAsync($"/api/v1/events/{id}/ticket"))).GetProperty("qrPayload").GetString();
        foreach (var already in new[] { false, true })
        {
            var answer = await Json(await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = ticket }));
            Assert.Equal(already, answer.GetProperty("alreadyCheckedIn").GetBoolean());
            Assert.Equal(("李小红", address), (answer.GetProperty("name").GetString(), answer.GetProperty("flat").GetString()));
        }
    }

    [Fact]
    public async Task Completing_a_volunteer_event_publishes_points_once_however_often_it_is_pressed()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(admin, Org.EstateA1, 3, volunteer: true, points: 20, startsAt: Now.AddMinutes(-30), opensAt: Now.AddDays(-1), closesAt: Now.AddHours(1));
        var residents = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => App.ResidentClientAsync($"wx-vol{i}")));
        foreach (var r in residents)
        {
            await r.PostAsync($"/api/v1/events/{id}/signups", null);
        }

        foreach (var r in residents.Take(2))
        {
            var ticket = (await Json(await r.GetAsync($"/api/v1/events/{id}/ticket"))).GetProperty("qrPayload").GetString();
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { qrPayload = ticket })).StatusCode);
        }

        var presses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => admin.PostAsync($"/api/v1/admin/events/{id}/complete", null)));
        foreach (var press in presses)
        {
            Assert.Equal(HttpStatusCode.OK, press.StatusCode);
            var summary = await Json(press);
            Assert.Equal(2, summary.GetProperty("attended").GetInt32());
            Assert.Equal(1, summary.GetProperty("noShows").GetInt32());
            Assert.Equal(2, summary.GetProperty("attendeesCredited").GetInt32());
        }

        await using var db = App.SystemDb();
        var credits = await db.OutboxMessages.Where(m => m.Topic == OutboxTopics.EventAttended).ToListAsync();
        Assert.Equal(2, credits.Count);
        Assert.All(credits, c => Assert.Equal(20, Outbox.Read<EventAttendedPayload>(c).Points));
        Assert.Equal(1, await db.EventSignups.CountAsync(s => s.EventId == id && s.NoShow));
        Assert.Equal(HttpStatusCode.Conflict, (await residents[2].DeleteAsync($"/api/v1/events/{id}/signups/me")).StatusCode);
    }

    [Fact]
    public async Task Cancelling_an_event_notifies_everyone_and_no_quota_is_recorded_not_retried()
    {
        var admin = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(admin, Org.EstateA1, 1);
        foreach (var name in new[] { "wx-c1", "wx-c2" })
        {
            await (await App.ResidentClientAsync(name)).PostAsync($"/api/v1/events/{id}/signups", null);
        }

        var cancelled = await Json(await admin.PostAsync($"/api/v1/admin/events/{id}/cancel", null));
        Assert.Equal(2, cancelled.GetProperty("notified").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/events/{id}/cancel", null)).StatusCode);

        var dispatcher = App.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.DispatchOnceAsync(CancellationToken.None);
        await dispatcher.DispatchOnceAsync(CancellationToken.None);
        await using var db = App.SystemDb();
        var messages = await db.OutboxMessages.Where(m => m.Topic == OutboxTopics.SubscribeMessage).ToListAsync();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m =>
        {
            Assert.Equal("no_quota", m.Outcome); // the fake answers 43101 for this template
            Assert.Equal(1, m.Attempts);
        });
    }

    [Fact]
    public async Task A_busy_WeChat_is_retried_with_backoff_until_the_attempts_run_out()
    {
        await using (var db = App.SystemDb())
        {
            var resident = new Web.Features.Identity.Resident { OpenId = "o-busy", Nickname = "busy", CreatedAt = Now, LastLoginAt = Now };
            db.Residents.Add(resident);
            await db.SaveChangesAsync();
            await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, "busy-test",
                new SubscribeMessagePayload(resident.Id, "raw", null, new Dictionary<string, string>()), TimeProvider.System, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        // "raw" has no template configured: skipped, not sent.
        var dispatcher = App.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.DispatchOnceAsync(CancellationToken.None);
        await using (var db = App.SystemDb())
        {
            Assert.Equal("skipped:no-template", (await db.OutboxMessages.SingleAsync(m => m.Key == "busy-test")).Outcome);
            var m = await db.OutboxMessages.SingleAsync(m => m.Key == "busy-test");
            m.Payload = m.Payload.Replace("\"raw\"", "\"busy\"", StringComparison.Ordinal);
            m.ProcessedAt = null;
            m.Outcome = null;
            m.Attempts = 0;
            await db.SaveChangesAsync();
        }

        // "busy" maps to a template the fake always answers with -1 (system busy).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        }

        await using (var db = App.SystemDb())
        {
            var m = await db.OutboxMessages.SingleAsync(m => m.Key == "busy-test");
            Assert.Equal(3, m.Attempts);
            Assert.Equal("failed", m.Outcome);
            Assert.Contains("-1", m.LastError, StringComparison.Ordinal);
        }

        Assert.Equal(0, await dispatcher.DispatchOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Event_admin_endpoints_answer_404_to_a_foreign_admin_and_bad_input_is_400()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var id = await CreateEventAsync(adminA, Org.EstateA1, 5);
        var adminB = await App.AdminClientAsync("adminB");
        foreach (var call in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => adminB.GetAsync($"/api/v1/admin/events/{id}"),
                     () => adminB.GetAsync($"/api/v1/admin/events/{id}/signups"),
                     () => adminB.GetAsync($"/api/v1/admin/events/{id}/signups.xlsx"),
                     () => adminB.PostAsync($"/api/v1/admin/events/{id}/cancel", null),
                     () => adminB.PostAsync($"/api/v1/admin/events/{id}/complete", null),
                     () => adminB.PostAsJsonAsync($"/api/v1/admin/events/{id}/checkins", new { residentId = 1 }),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await call()).StatusCode);
        }

        var inEstateB = await adminB.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = Org.EstateA1,
            title = "x",
            startsAt = Now.AddDays(1),
            endsAt = Now.AddDays(1).AddHours(1),
            signupOpensAt = Now,
            signupClosesAt = Now.AddHours(2),
            capacity = 5,
        });
        Assert.Equal(HttpStatusCode.BadRequest, inEstateB.StatusCode);

        var bad = await adminA.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = Org.EstateA1,
            title = "",
            startsAt = Now.AddDays(1),
            endsAt = Now,
            signupOpensAt = Now,
            signupClosesAt = Now.AddHours(-1),
            capacity = 0,
            isVolunteer = false,
            pointsAwarded = 5,
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await Json(bad)).GetProperty("errors");
        foreach (var field in new[] { "title", "endsAt", "signupClosesAt", "capacity", "pointsAwarded" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }

        var shrink = await adminA.PutAsJsonAsync($"/api/v1/admin/events/{id}", new
        {
            estateId = Org.EstateA1,
            title = "改期",
            startsAt = Now.AddDays(2),
            endsAt = Now.AddDays(2).AddHours(1),
            signupOpensAt = Now.AddHours(-1),
            signupClosesAt = Now.AddDays(1),
            capacity = 8,
        });
        Assert.Equal(HttpStatusCode.OK, shrink.StatusCode);
        Assert.Equal(8, (await Json(shrink)).GetProperty("capacity").GetInt32());
    }
}
