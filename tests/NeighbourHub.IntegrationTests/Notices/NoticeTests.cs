using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.IntegrationTests.Notices;

/// <summary>
/// Notices (公告) over real HTTP on MariaDB: who sees what (community, estate, building), scheduling, pinning, read receipts
/// once per resident and counted per flat, reminders once a day to the unread, withdrawal refused during 公示, validation in
/// Chinese, and subscribe messages fanned out through the outbox to the fake WeChat.
/// </summary>
public sealed class NoticeTests(AppFixture fixture) : AppTest(fixture)
{
    private static object Body(string level, long scopeId, string title = "停水通知", DateTimeOffset? publishAt = null, bool pinned = false, bool notify = false,
        string[]? attachmentIds = null) =>
        new { scopeLevel = level, scopeId, title, body = "因二次供水设施清洗，本周六 8:00–14:00 停水，请提前储水。", pinned, attachmentIds = attachmentIds ?? [], publishAt, notify };

    private async Task<long> PublishAsync(HttpClient staff, object body)
    {
        var response = await staff.PostAsJsonAsync("/api/v1/admin/notices", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await Json(response)).GetProperty("id").GetInt64();
    }

    private static async Task<List<long>> ListedAsync(HttpClient resident)
    {
        var page = await Json(await resident.GetAsync("/api/v1/notices?pageSize=100"));
        return page.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).ToList();
    }

    private async Task DispatchAllAsync()
    {
        var dispatcher = App.Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    /// <summary>A second building in estate A1 ("2栋", one unit, three flats), so receipts have buildings to tell apart.</summary>
    private async Task<(long BuildingId, List<long> Households)> SecondBuildingA1Async()
    {
        await using var db = App.SystemDb();
        var building = new Building { EstateId = Org.EstateA1, Name = "2栋" };
        db.Buildings.Add(building);
        await db.SaveChangesAsync();
        var unit = new Unit { EstateId = Org.EstateA1, BuildingId = building.Id, Name = "1单元" };
        db.Units.Add(unit);
        await db.SaveChangesAsync();
        var flats = new[] { "501", "502", "1101" }.Select(r => new Household { EstateId = Org.EstateA1, BuildingId = building.Id, UnitId = unit.Id, Room = r, AreaM2 = 90m }).ToList();
        db.Households.AddRange(flats);
        await db.SaveChangesAsync();
        return (building.Id, flats.Select(f => f.Id).ToList());
    }

    private async Task<long> BuildingOfAsync(long householdId)
    {
        await using var db = App.SystemDb();
        return await db.Households.Where(h => h.Id == householdId).Select(h => h.BuildingId).SingleAsync();
    }

    [Fact]
    public async Task Residents_see_the_notices_of_their_community_estate_and_building_and_nothing_else()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (second, secondFlats) = await SecondBuildingA1Async();
        var (a1b1, _) = await VerifiedResidentAsync("wx-nt-a1b1", Org.HouseholdsA1[0]);
        var (a1b2, _) = await VerifiedResidentAsync("wx-nt-a1b2", secondFlats[0]);
        var (a2, _) = await VerifiedResidentAsync("wx-nt-a2", Org.HouseholdsA2[0]);
        var b1 = await App.ResidentClientAsync("wx-nt-b1");
        var adminB = await App.AdminClientAsync("adminB");
        var residence = await ApplyAsync(b1, Org.HouseholdsB1[0]);
        Assert.Equal(HttpStatusCode.OK, (await adminB.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        var stranger = await App.ResidentClientAsync("wx-nt-stranger");

        var community = await PublishAsync(adminA, Body("community", Org.CommunityA, "垃圾分类新规"));
        var estate = await PublishAsync(adminA, Body("estate", Org.EstateA1, "电梯年检"));
        var building = await PublishAsync(adminA, Body("building", await BuildingOfAsync(Org.HouseholdsA1[0]), "1栋停水通知"));
        var other = await PublishAsync(adminB, Body("estate", Org.EstateB1, "乙一小区消防演练"));

        Assert.Equal([building, estate, community], await ListedAsync(a1b1));
        Assert.Equal([estate, community], await ListedAsync(a1b2));
        Assert.Equal([community], await ListedAsync(a2));
        Assert.Equal([other], await ListedAsync(b1));
        Assert.Empty(await ListedAsync(stranger));

        // Opening: in scope it is read (and says so), out of scope it does not exist.
        var opened = await Json(await a1b1.GetAsync($"/api/v1/notices/{building}"));
        Assert.Equal("1栋停水通知", opened.GetProperty("title").GetString());
        Assert.Equal("building", opened.GetProperty("scope").GetProperty("level").GetString());
        Assert.Equal("甲一小区 1栋", opened.GetProperty("scope").GetProperty("name").GetString());
        Assert.NotEqual(JsonValueKind.Null, opened.GetProperty("readAt").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await a1b2.GetAsync($"/api/v1/notices/{building}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a2.GetAsync($"/api/v1/notices/{estate}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b1.GetAsync($"/api/v1/notices/{community}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/notices/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a1b1.GetAsync("/api/v1/notices/987654321")).StatusCode);
        await using var db = App.SystemDb();
        Assert.Equal(1, await db.NoticeReads.CountAsync());

        // Staff: adminB neither lists nor opens community A's notices; the firm sees A1's but not A2's building.
        var staffList = await Json(await adminB.GetAsync("/api/v1/admin/notices"));
        Assert.Equal([other], staffList.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/notices/{estate}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/notices/{estate}/reads")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/notices?estateId={Org.EstateA1}")).StatusCode);
        var firm = await App.AdminClientAsync("firmF");
        var firmList = await Json(await firm.GetAsync($"/api/v1/admin/notices?estateId={Org.EstateA1}"));
        Assert.Equal([building, estate, community], firmList.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()).Order().Reverse());
    }

    [Fact]
    public async Task Scheduled_notices_stay_hidden_until_their_time_and_pinned_ones_come_first_then_the_subscribe_messages_go_out()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (resident, _) = await VerifiedResidentAsync("wx-nt-sched", Org.HouseholdsA1[1]);
        await VerifiedResidentAsync("wx-nt-sched2", Org.HouseholdsA1[2]);
        var older = await PublishAsync(adminA, Body("estate", Org.EstateA1, "垃圾分类督导"));
        var pinned = await PublishAsync(adminA, Body("estate", Org.EstateA1, "物业服务热线", pinned: true));
        var newer = await PublishAsync(adminA, Body("estate", Org.EstateA1, "消防演练"));
        var scheduled = await PublishAsync(adminA, Body("estate", Org.EstateA1, "电梯年检停运", publishAt: DateTimeOffset.UtcNow.AddDays(2), notify: true));

        Assert.Equal([pinned, newer, older], await ListedAsync(resident));
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync($"/api/v1/notices/{scheduled}")).StatusCode);
        var staffView = await Json(await adminA.GetAsync($"/api/v1/admin/notices/{scheduled}"));
        Assert.Equal("scheduled", staffView.GetProperty("status").GetString());
        var job = App.Services.GetRequiredService<NoticePublicationJob>();
        Assert.Equal(0, await job.RunOnceAsync(CancellationToken.None));

        // Unpinning moves it back among the others by time.
        Assert.False((await Json(await adminA.PostAsync($"/api/v1/admin/notices/{pinned}/unpin", null))).GetProperty("pinned").GetBoolean());
        Assert.Equal([newer, pinned, older], await ListedAsync(resident));

        // Its time comes (moved, rather than waited for): residents see it, and the job announces it once however often it runs.
        await using (var db = App.SystemDb())
        {
            await db.Notices.Where(n => n.Id == scheduled).ExecuteUpdateAsync(s => s.SetProperty(n => n.PublishAt, DateTimeOffset.UtcNow));
        }

        Assert.Equal(scheduled, (await ListedAsync(resident))[0]);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => job.RunOnceAsync(CancellationToken.None)));
        Assert.Equal(1, runs.Sum());
        await DispatchAllAsync();
        var sent = WeChat.SentMessages.Where(m => m.GetProperty("template_id").GetString() == "tpl-notice").Select(m => m.GetProperty("touser").GetString()).ToList();
        Assert.Single(sent, "o-nt-sched");
        Assert.Single(sent, "o-nt-sched2");
        await using (var db = App.SystemDb())
        {
            var fanOut = await db.OutboxMessages.SingleAsync(m => m.Topic == NoticeFanOut.Topic);
            Assert.Equal("queued:2", fanOut.Outcome);
            Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Topic == OutboxTopics.SubscribeMessage && m.Outcome == "sent"));
            Assert.NotNull((await db.Notices.SingleAsync(n => n.Id == scheduled)).NotifiedAt);
        }
    }

    [Fact]
    public async Task Notify_fans_out_one_subscribe_message_per_resident_in_scope_in_batches_and_a_vote_notice_is_announced_by_the_job()
    {
        var adminA = await App.AdminClientAsync("adminA");
        // 1,200 approved residents across A1 and A2 (rows written directly: the fan-out, not the sign-ups, is under test).
        var residents = await App.CreateResidentsAsync("nt-fan", 1200);
        await using (var db = App.SystemDb())
        {
            var flats = Org.HouseholdsA1.Concat(Org.HouseholdsA2).ToList();
            var estates = await db.Households.Where(h => flats.Contains(h.Id)).ToDictionaryAsync(h => h.Id, h => h.EstateId);
            for (var i = 0; i < residents.Count; i++)
            {
                var flat = flats[i % flats.Count];
                var r = Web.Features.Residents.Residence.Apply(residents[i].Id, flat, estates[flat], Web.Features.Residents.ResidenceRelation.Family, "家属", DateTimeOffset.UtcNow);
                r.Approve(null, DateTimeOffset.UtcNow);
                db.Residences.Add(r);
            }

            await db.SaveChangesAsync();
        }

        var before = WeChat.SentMessages.Count;
        var id = await PublishAsync(adminA, Body("community", Org.CommunityA, "社区消防演练", notify: true));
        await using (var db = App.SystemDb())
        {
            // Publishing wrote the notice and one fan-out message, not 1,200 rows.
            Assert.Equal(1, await db.OutboxMessages.CountAsync());
            Assert.NotNull((await db.Notices.SingleAsync(n => n.Id == id)).NotifiedAt);
        }

        await DispatchAllAsync();
        await using (var db = App.SystemDb())
        {
            Assert.Equal("queued:1200", (await db.OutboxMessages.SingleAsync(m => m.Topic == NoticeFanOut.Topic)).Outcome);
            Assert.Equal(1200, await db.OutboxMessages.CountAsync(m => m.Topic == OutboxTopics.SubscribeMessage && m.Outcome == "sent"));
        }

        Assert.Equal(1200, WeChat.SentMessages.Skip(before).Count(m => m.GetProperty("template_id").GetString() == "tpl-notice"));

        // Another feature (a vote's announcement) adds a notice in its own transaction; the job tells the residents of that estate.
        long voteNotice;
        await using (var db = App.SystemDb())
        {
            var board = App.Services.GetRequiredService<NoticeBoard>();
            var n = await board.AddAsync(db, new NoticeDraft(NoticeScopeLevel.Estate, Org.EstateA2, "业主大会表决公告", "表决事项：加装电梯。", false,
                DateTimeOffset.UtcNow.AddSeconds(-5), true, []), "甲二小区业委会", CancellationToken.None);
            await db.SaveChangesAsync();
            voteNotice = n.Id;
        }

        Assert.Equal(1, await App.Services.GetRequiredService<NoticePublicationJob>().RunOnceAsync(CancellationToken.None));
        await DispatchAllAsync();
        await using (var db = App.SystemDb())
        {
            Assert.Equal("queued:600", (await db.OutboxMessages.SingleAsync(m => m.Key == NoticeFanOut.KeyOf(voteNotice, NoticeFanOut.Published, 0))).Outcome);
        }
    }

    [Fact]
    public async Task Ten_racing_opens_record_one_read()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (resident, residentId) = await VerifiedResidentAsync("wx-nt-race", Org.HouseholdsA1[0]);
        var id = await PublishAsync(adminA, Body("estate", Org.EstateA1));
        var opens = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => resident.GetAsync($"/api/v1/notices/{id}")));
        Assert.All(opens, o => Assert.Equal(HttpStatusCode.OK, o.StatusCode));
        var readAts = new HashSet<string?>();
        foreach (var o in opens)
        {
            readAts.Add((await Json(o)).GetProperty("readAt").GetString());
        }

        Assert.Single(readAts);
        await using var db = App.SystemDb();
        Assert.Equal(1, await db.NoticeReads.CountAsync(r => r.NoticeId == id && r.ResidentId == residentId));
        var listed = await Json(await resident.GetAsync("/api/v1/notices"));
        Assert.Equal(readAts.Single(), listed.GetProperty("items")[0].GetProperty("readAt").GetString());
    }

    [Fact]
    public async Task A_resident_sees_their_own_read_receipts_only_and_staff_see_every_receipt_of_their_notices()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (first, firstId) = await VerifiedResidentAsync("wx-nt-rcpt1", Org.HouseholdsA1[0]);
        var (second, _) = await VerifiedResidentAsync("wx-nt-rcpt2", Org.HouseholdsA1[1]);
        var id = await PublishAsync(adminA, Body("estate", Org.EstateA1));
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync($"/api/v1/notices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/api/v1/notices/{id}")).StatusCode);

        await using var db = App.Services.GetRequiredService<IDbContextFactory<Web.Data.NeighbourHubDbContext>>().CreateDbContext();
        db.Scope = Web.Tenancy.CurrentScope.For(Web.Tenancy.AccessScope.System); // the resolver reads residences as the system
        var scope = await App.Services.GetRequiredService<Web.Tenancy.AccessScopeResolver>().ForResidentAsync(db, firstId, CancellationToken.None);
        db.Scope = Web.Tenancy.CurrentScope.For(scope);
        Assert.Equal([firstId], await db.NoticeReads.Where(r => r.NoticeId == id).Select(r => r.ResidentId).ToListAsync());
        // The list still shows the reader their own receipt, and the neighbour's reading is not theirs to see.
        Assert.NotEqual(JsonValueKind.Null, (await Json(await first.GetAsync("/api/v1/notices"))).GetProperty("items")[0].GetProperty("readAt").ValueKind);

        var reads = await Json(await adminA.GetAsync($"/api/v1/admin/notices/{id}/reads"));
        Assert.Equal(2, reads.GetProperty("read").GetInt32());
    }

    [Fact]
    public async Task Receipts_count_flats_per_building_and_list_the_unread_by_address_and_a_reminder_reaches_them_once_a_day()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (second, secondFlats) = await SecondBuildingA1Async();
        // 1栋: 101 two residents (one reads), 102 one resident (does not read), 103 and 104 nobody verified.
        // 2栋: 501 reads, 502 does not, 1101 nobody verified.
        var (reader101, _) = await VerifiedResidentAsync("wx-nt-r101", Org.HouseholdsA1[0]);
        await VerifiedResidentAsync("wx-nt-r101b", Org.HouseholdsA1[0]);
        await VerifiedResidentAsync("wx-nt-u102", Org.HouseholdsA1[1]);
        var (reader501, _) = await VerifiedResidentAsync("wx-nt-r501", secondFlats[0]);
        await VerifiedResidentAsync("wx-nt-u502", secondFlats[1]);
        var id = await PublishAsync(adminA, Body("estate", Org.EstateA1, "电梯年检通知"));
        Assert.Equal(HttpStatusCode.OK, (await reader101.GetAsync($"/api/v1/notices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader501.GetAsync($"/api/v1/notices/{id}")).StatusCode);

        var reads = await Json(await adminA.GetAsync($"/api/v1/admin/notices/{id}/reads"));
        Assert.Equal((7, 4, 2, 2, 3), (reads.GetProperty("flats").GetInt32(), reads.GetProperty("reachable").GetInt32(), reads.GetProperty("read").GetInt32(),
            reads.GetProperty("unread").GetInt32(), reads.GetProperty("noResident").GetInt32()));
        var buildings = reads.GetProperty("buildings").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);
        Assert.Equal((4, 1, 1), (buildings["1栋"].GetProperty("flats").GetInt32(), buildings["1栋"].GetProperty("read").GetInt32(), buildings["1栋"].GetProperty("unread").GetInt32()));
        Assert.Equal((3, 1, 1), (buildings["2栋"].GetProperty("flats").GetInt32(), buildings["2栋"].GetProperty("read").GetInt32(), buildings["2栋"].GetProperty("unread").GetInt32()));
        Assert.Equal(["1栋1单元102", "2栋1单元502"], reads.GetProperty("unreadFlats").EnumerateArray().Select(f => f.GetProperty("address").GetString()));
        var text = reads.GetRawText();
        Assert.DoesNotContain("张三", text, StringComparison.Ordinal); // addresses only, never names
        var one = await Json(await adminA.GetAsync($"/api/v1/admin/notices/{id}/reads?buildingId={second}"));
        Assert.Equal(["2栋1单元502"], one.GetProperty("unreadFlats").EnumerateArray().Select(f => f.GetProperty("address").GetString()));

        // Remind: once; racing reminders let one through; the second is 409 and says when the next is allowed.
        var before = WeChat.SentMessages.Count;
        var reminders = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => adminA.PostAsync($"/api/v1/admin/notices/{id}/remind", null)));
        var ok = Assert.Single(reminders, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(reminders.Where(r => r != ok), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var reminded = await Json(ok);
        Assert.Equal((2, 2), (reminded.GetProperty("unreadFlats").GetInt32(), reminded.GetProperty("recipients").GetInt32()));
        var again = await adminA.PostAsync($"/api/v1/admin/notices/{id}/remind", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await Json(again);
        Assert.Contains("之后可以再次提醒", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await DispatchAllAsync();
        var reminded2 = WeChat.SentMessages.Skip(before).Where(m => m.GetProperty("template_id").GetString() == "tpl-notice-remind")
            .Select(m => m.GetProperty("touser").GetString()).Order().ToList();
        Assert.Equal(["o-nt-u102", "o-nt-u502"], reminded2);

        // A day later (moved, not waited for) the next reminder is allowed.
        await using (var db = App.SystemDb())
        {
            await db.Notices.Where(n => n.Id == id).ExecuteUpdateAsync(s => s.SetProperty(n => n.RemindedAt, DateTimeOffset.UtcNow.AddDays(-1).AddSeconds(-1)));
        }

        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/notices/{id}/remind", null)).StatusCode);
    }

    [Fact]
    public async Task Withdrawal_is_refused_during_the_keep_period_and_needs_a_reason()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (resident, _) = await VerifiedResidentAsync("wx-nt-wd", Org.HouseholdsA1[0]);
        long kept;
        await using (var db = App.SystemDb())
        {
            var n = await App.Services.GetRequiredService<NoticeBoard>().AddAsync(db, new NoticeDraft(NoticeScopeLevel.Estate, Org.EstateA1, "表决结果公示", "加装电梯表决通过。",
                true, DateTimeOffset.UtcNow.AddMinutes(-1), false, [], KeepUntil: DateTimeOffset.UtcNow.AddDays(15)), "甲一小区业委会", CancellationToken.None);
            await db.SaveChangesAsync();
            kept = n.Id;
        }

        var refused = await adminA.PostAsJsonAsync($"/api/v1/admin/notices/{kept}/withdraw", new { reason = "发错了" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("公示期", (await Json(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(kept, await ListedAsync(resident));

        var plain = await PublishAsync(adminA, Body("estate", Org.EstateA1, "错误的通知"));
        var noReason = await adminA.PostAsJsonAsync($"/api/v1/admin/notices/{plain}/withdraw", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await Json(noReason)).GetProperty("errors").TryGetProperty("reason", out _));
        var withdrawn = await Json(await adminA.PostAsJsonAsync($"/api/v1/admin/notices/{plain}/withdraw", new { reason = "时间写错，重新发布" }));
        Assert.Equal("withdrawn", withdrawn.GetProperty("status").GetString());
        Assert.Equal("时间写错，重新发布", withdrawn.GetProperty("withdrawReason").GetString());
        Assert.DoesNotContain(plain, await ListedAsync(resident));
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync($"/api/v1/notices/{plain}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await adminA.PostAsJsonAsync($"/api/v1/admin/notices/{plain}/withdraw", new { reason = "再撤一次" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await adminA.PostAsync($"/api/v1/admin/notices/{plain}/remind", null)).StatusCode);
    }

    [Fact]
    public async Task Invalid_notices_get_chinese_problem_details_field_by_field_and_change_nothing()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var response = await adminA.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            scopeLevel = "street",
            scopeId = 0,
            title = new string('标', 101),
            body = "",
            pinned = false,
            attachmentIds = new[] { "a", "a" },
            publishAt = DateTimeOffset.UtcNow.AddDays(31),
            notify = true,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await Json(response)).GetProperty("errors");
        foreach (var field in new[] { "scopeLevel", "scopeId", "title", "body", "attachmentIds", "publishAt" })
        {
            var message = errors.GetProperty(field)[0].GetString()!;
            Assert.True(message.Any(c => c >= 0x4E00 && c <= 0x9FFF), $"{field}: {message}");
        }

        var past = await adminA.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1, publishAt: DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Contains("不能早于现在", (await Json(past)).GetProperty("errors").GetProperty("publishAt")[0].GetString(), StringComparison.Ordinal);

        // Someone else's upload is not an attachment of mine; a foreign estate is not found; the firm cannot address the community.
        var foreignFile = await adminA.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1, attachmentIds: ["0123456789abcdef0123456789abcdef"]));
        Assert.Equal(HttpStatusCode.BadRequest, foreignFile.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateB1))).StatusCode);
        var firm = await App.AdminClientAsync("firmF");
        var forbidden = await firm.PostAsJsonAsync("/api/v1/admin/notices", Body("community", Org.CommunityA));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("社区管理员", (await Json(forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await firm.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA2))).StatusCode);
        var grid = await App.AdminClientAsync("gridA2");
        Assert.Equal(HttpStatusCode.NotFound, (await grid.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1))).StatusCode);

        await using (var db = App.SystemDb())
        {
            Assert.Equal(0, await db.Notices.CountAsync());
            Assert.Equal(0, await db.OutboxMessages.CountAsync());
        }

        // The right people may: the firm for its estate, the grid worker for the building of its grid, the committee for its estate.
        Assert.Equal(HttpStatusCode.Created, (await firm.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await grid.PostAsJsonAsync("/api/v1/admin/notices", Body("building", await BuildingOfAsync(Org.HouseholdsA2[0])))).StatusCode);
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.Created, (await committee.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1))).StatusCode);
    }

    [Fact]
    public async Task Attachments_are_the_staff_members_own_uploads_and_residents_read_them()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var (resident, _) = await VerifiedResidentAsync("wx-nt-att", Org.HouseholdsA1[0]);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(RepairPhotoTests.Png) { Headers = { ContentType = new("image/png") } }, "file", "a.png");
        var upload = await Json(await adminA.PostAsync("/api/v1/admin/files", form));
        var fileId = upload.GetProperty("id").GetString()!;
        var firm = await App.AdminClientAsync("firmF");
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.PostAsJsonAsync("/api/v1/admin/notices", Body("estate", Org.EstateA1, attachmentIds: [fileId]))).StatusCode);
        var id = await PublishAsync(adminA, Body("estate", Org.EstateA1, "小区平面图", attachmentIds: [fileId]));

        var notice = await Json(await resident.GetAsync($"/api/v1/notices/{id}"));
        var attachment = notice.GetProperty("attachments").EnumerateArray().Single();
        Assert.Equal(("image/png", $"/api/v1/files/{fileId}"), (attachment.GetProperty("contentType").GetString(), attachment.GetProperty("url").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync(attachment.GetProperty("url").GetString())).StatusCode);
    }
}
