using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Votes;
using NeighbourHub.Web.Transparency;
using Independent = NeighbourHub.FundVerifier;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// Owners' votes over real HTTP on MariaDB. Estate A1 has four flats (1栋1单元101–104: 81.5, 82.5, 83.5, 84.5 m²);
/// committeeA1 organises. Time passes by moving a vote's announced times back in the database.
/// </summary>
public sealed class VoteTests(AppFixture fixture) : AppTest(fixture)
{
    private static async Task<HttpResponseMessage> PostKeyed(HttpClient client, string url, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(request);
    }

    private async Task<JsonElement> CreateAsync(HttpClient organiser, string rule = "art278_ordinary", long? estateId = null, string[]? options = null)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await PostKeyed(organiser, "/api/v1/admin/votes", new
        {
            estateId = estateId ?? Org.EstateA1,
            title = "加装电梯",
            description = "1栋加装电梯一部，费用按楼层分摊。",
            options = options ?? ["同意", "不同意", "弃权"],
            rule,
            noticeAt = now,
            opensAt = now.AddDays(16),
            closesAt = now.AddDays(30),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await Json(response);
    }

    /// <summary>Moves the vote's times back so that it has been open for a day (the notice period has passed).</summary>
    private async Task OpenAsync(long voteId, HttpClient reader)
    {
        await using (var db = App.SystemDb())
        {
            await db.Votes.Where(v => v.Id == voteId).ExecuteUpdateAsync(u => u
                .SetProperty(v => v.NoticeAt, v => v.NoticeAt.AddDays(-17)).SetProperty(v => v.OpensAt, v => v.OpensAt.AddDays(-17))
                .SetProperty(v => v.ClosesAt, v => v.ClosesAt.AddDays(-17)));
        }

        Assert.Equal("open", (await Json(await reader.GetAsync($"/api/v1/votes/{voteId}"))).GetProperty("status").GetString());
    }

    /// <summary>Moves the close time into the past, so the clock job closes it.</summary>
    private async Task ExpireAsync(long voteId)
    {
        await using var db = App.SystemDb();
        await db.Votes.Where(v => v.Id == voteId).ExecuteUpdateAsync(u => u.SetProperty(v => v.ClosesAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
    }

    private static long Option(JsonElement vote, int i) => vote.GetProperty("options")[i].GetProperty("id").GetInt64();

    private async Task<string> ScanAsync(HttpClient staff) => await RepairPhotoTests.UploadAsync(staff, TestImages.Png, "/api/v1/admin/files");

    [Fact]
    public async Task Racing_online_and_paper_ballots_of_one_voter_count_once_and_the_loser_hears_when_and_how()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        var residents = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
        {
            residents.Add((await VerifiedResidentAsync($"wx-vote-race-{i}", Org.HouseholdsA1[i])).Client);
        }

        var vote = await CreateAsync(committee);
        var id = vote.GetProperty("id").GetInt64();
        await OpenAsync(id, residents[0]);
        var scans = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            scans.Add(await ScanAsync(committee));
        }

        // Each voter: two online ballots (different keys) and two paper ballots at once.
        var attempts = Enumerable.Range(0, 3).SelectMany(i => new Func<Task<HttpResponseMessage>>[]
        {
            () => PostKeyed(residents[i], $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) }),
            () => PostKeyed(residents[i], $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 1) }),
            () => PostKeyed(committee, $"/api/v1/admin/votes/{id}/paper-ballots", new { householdId = Org.HouseholdsA1[i], optionId = Option(vote, 1), channel = "paper", scanFileId = scans[2 * i] }),
            () => PostKeyed(committee, $"/api/v1/admin/votes/{id}/paper-ballots", new { householdId = Org.HouseholdsA1[i], optionId = Option(vote, 2), channel = "paper", scanFileId = scans[2 * i + 1] }),
        }).ToList();
        var answers = await Task.WhenAll(attempts.Select(a => Task.Run(a)));
        for (var i = 0; i < 3; i++)
        {
            var mine = answers.Skip(4 * i).Take(4).ToList();
            Assert.Single(mine, r => r.StatusCode == HttpStatusCode.Created);
            Assert.Equal(3, mine.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            foreach (var conflict in mine.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                var detail = (await Json(conflict)).GetProperty("detail").GetString()!;
                Assert.Contains("已于", detail);
                Assert.Contains("只能投一次", detail);
            }
        }

        await using var db = App.SystemDb();
        Assert.Equal(3, await db.Ballots.CountAsync(b => b.VoteId == id));
        var turnout = (await Json(await residents[0].GetAsync($"/api/v1/votes/{id}"))).GetProperty("turnout");
        Assert.Equal(3, turnout.GetProperty("voters").GetInt32());
        Assert.Equal(4, turnout.GetProperty("votersTotal").GetInt32());
        Assert.Equal(81.5m + 82.5m + 83.5m, turnout.GetProperty("areaM2").GetDecimal());
        Assert.Equal(332.0m, turnout.GetProperty("areaTotalM2").GetDecimal());
    }

    [Fact]
    public async Task An_owner_of_two_flats_votes_once_with_both_areas_co_owners_share_a_ballot_and_developer_flats_are_one_voter()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        var admin = await App.AdminClientAsync("adminA");
        var (owner, _) = await VerifiedResidentAsync("wx-vote-two-flats", Org.HouseholdsA1[0]);
        var second = await ApplyAsync(owner, Org.HouseholdsA1[1], realName: "张三");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{second}/approve", null)).StatusCode);
        var (coOwner, _) = await VerifiedResidentAsync("wx-vote-co-owner", Org.HouseholdsA1[0]);
        var (tenant, _) = await VerifiedResidentAsync("wx-vote-tenant", Org.HouseholdsA1[3]);
        await using (var db = App.SystemDb())
        {
            // Tenants do not vote: make the last application a tenant's; the developer still holds 103 and 104.
            await db.Residences.Where(r => r.HouseholdId == Org.HouseholdsA1[3]).ExecuteUpdateAsync(u => u.SetProperty(r => r.Relation, Web.Features.Residents.ResidenceRelation.Tenant));
            await db.Households.Where(h => h.Id == Org.HouseholdsA1[2] || h.Id == Org.HouseholdsA1[3]).ExecuteUpdateAsync(u => u.SetProperty(h => h.HeldByDeveloper, true));
        }

        var vote = await CreateAsync(committee, "art278_major");
        var id = vote.GetProperty("id").GetInt64();
        await OpenAsync(id, owner);

        var mine = await Json(await owner.GetAsync($"/api/v1/votes/{id}/my-ballot"));
        Assert.True(mine.GetProperty("canVote").GetBoolean());
        Assert.Equal(["1栋1单元101", "1栋1单元102"], mine.GetProperty("flats").EnumerateArray().Select(f => f.GetProperty("address").GetString()));
        var tenantView = await Json(await tenant.GetAsync($"/api/v1/votes/{id}/my-ballot"));
        Assert.False(tenantView.GetProperty("canVote").GetBoolean());
        Assert.Contains("名册", tenantView.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await PostKeyed(tenant, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) })).StatusCode);

        var cast = await PostKeyed(owner, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) }, "my-ballot");
        Assert.Equal(HttpStatusCode.Created, cast.StatusCode);
        var receipt = (await Json(cast)).GetProperty("receipt").GetString();
        // The same request again answers the same ballot; the co-owner sees it and cannot vote again.
        Assert.Equal(receipt, (await Json(await PostKeyed(owner, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) }, "my-ballot"))).GetProperty("receipt").GetString());
        var shared = await Json(await coOwner.GetAsync($"/api/v1/votes/{id}/my-ballot"));
        Assert.False(shared.GetProperty("canVote").GetBoolean());
        Assert.Equal(receipt, shared.GetProperty("receipt").GetString());
        Assert.Equal("online", shared.GetProperty("channel").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await PostKeyed(coOwner, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 1) })).StatusCode);

        // The developer's two flats: one voter, entered on paper through either flat.
        var proxy = await PostKeyed(committee, $"/api/v1/admin/votes/{id}/paper-ballots",
            new { householdId = Org.HouseholdsA1[3], optionId = Option(vote, 1), channel = "proxy", proxyName = "开发商代表李四", scanFileId = await ScanAsync(committee) });
        Assert.Equal(HttpStatusCode.Created, proxy.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostKeyed(committee, $"/api/v1/admin/votes/{id}/paper-ballots",
            new { householdId = Org.HouseholdsA1[2], optionId = Option(vote, 0), channel = "paper", scanFileId = await ScanAsync(committee) })).StatusCode);

        // Everyone voted, so the committee may close before the end.
        var closed = await Json(await committee.PostAsync($"/api/v1/admin/votes/{id}/close", null));
        var results = closed.GetProperty("results");
        Assert.Equal(2, results.GetProperty("participation").GetProperty("votersTotal").GetInt32());
        Assert.Equal(332.0m, results.GetProperty("participation").GetProperty("areaTotalM2").GetDecimal());
        var options = results.GetProperty("options").EnumerateArray().ToList();
        Assert.Equal((1, 164.0m), (options[0].GetProperty("voters").GetInt32(), options[0].GetProperty("areaM2").GetDecimal()));
        Assert.Equal((1, 168.0m), (options[1].GetProperty("voters").GetInt32(), options[1].GetProperty("areaM2").GetDecimal()));
        Assert.False(results.GetProperty("passed").GetBoolean()); // 1 of 2 voters is not 3/4
        Assert.True(results.GetProperty("participation").GetProperty("quorumMet").GetBoolean());
    }

    [Fact]
    public async Task While_open_no_answer_or_export_carries_a_per_option_number_and_the_audit_log_never_holds_the_option()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        var platform = await App.AdminClientAsync("adminA");
        var (resident, _) = await VerifiedResidentAsync("wx-vote-secret", Org.HouseholdsA1[0]);
        var vote = await CreateAsync(committee, "simple", options: ["同意", "不同意"]);
        var id = vote.GetProperty("id").GetInt64();
        await OpenAsync(id, resident);
        Assert.Equal(HttpStatusCode.Created, (await PostKeyed(resident, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostKeyed(committee, $"/api/v1/admin/votes/{id}/paper-ballots",
            new { householdId = Org.HouseholdsA1[1], optionId = Option(vote, 1), channel = "paper", scanFileId = await ScanAsync(committee) })).StatusCode);

        foreach (var (client, url) in new[]
        {
            (resident, $"/api/v1/votes/{id}"), (resident, "/api/v1/votes"), (resident, $"/api/v1/votes/{id}/my-ballot"),
            (committee, $"/api/v1/admin/votes/{id}"), (platform, "/api/v1/admin/votes"), (committee, $"/api/v1/admin/votes/{id}/turnout"),
            (committee, $"/api/v1/admin/votes/{id}/flats"),
        })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("\"results\":{", text);
            Assert.DoesNotContain("optionId", text);
            Assert.DoesNotContain("同意\",\"voters", text);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await resident.GetAsync($"/api/v1/votes/{id}/tally")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await committee.GetAsync($"/api/v1/admin/votes/{id}/tally")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await committee.GetAsync($"/api/v1/admin/votes/{id}/results.xlsx")).StatusCode);
        var electorate = await committee.GetAsync($"/api/v1/admin/votes/{id}/electorate.xlsx");
        Assert.Equal(HttpStatusCode.OK, electorate.StatusCode);
        var rows = MiniExcelLibs.MiniExcel.Query(new MemoryStream(await electorate.Content.ReadAsByteArrayAsync()), useHeaderRow: true)
            .Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(4, rows.Count);
        Assert.DoesNotContain(rows, r => r.Keys.Any(k => k.Contains("选项") || k.Contains("同意")));

        await using var db = App.SystemDb();
        var audit = await db.AuditLogs.Where(a => a.EntityType == "Vote" || a.EntityType == "Ballot").Select(a => (a.Before ?? "") + (a.After ?? "")).ToListAsync();
        Assert.Contains(audit, a => a.Contains("householdId"));
        Assert.DoesNotContain(audit, a => a.Contains("OptionId") || a.Contains("optionId"));
    }

    [Fact]
    public async Task The_clock_closes_the_vote_publishes_results_that_match_a_recount_and_a_changed_ballot_is_detected()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        var voters = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
        {
            voters.Add((await VerifiedResidentAsync($"wx-vote-tally-{i}", Org.HouseholdsA1[i])).Client);
        }

        var vote = await CreateAsync(committee);
        var id = vote.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Conflict, (await committee.PostAsync($"/api/v1/admin/votes/{id}/close", null)).StatusCode); // not open yet
        await OpenAsync(id, voters[0]);
        var receipts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = await PostKeyed(voters[i], $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, i == 2 ? 1 : 0) });
            receipts.Add((await Json(r)).GetProperty("receipt").GetString()!);
        }

        // An art. 278 vote cannot be closed early while an owner has not voted.
        var early = await committee.PostAsync($"/api/v1/admin/votes/{id}/close", null);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("截止时间", (await Json(early)).GetProperty("detail").GetString());

        await ExpireAsync(id);
        var desk = App.Services.GetRequiredService<VoteDesk>();
        Assert.Equal(1, await desk.RunClockAsync(CancellationToken.None));
        Assert.Equal(0, await desk.RunClockAsync(CancellationToken.None));

        var tally = await Json(await voters[0].GetAsync($"/api/v1/votes/{id}/tally"));
        var items = tally.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(receipts.Order(StringComparer.Ordinal), items.Select(i => i.GetProperty("receipt").GetString()));
        Assert.DoesNotContain("1栋", tally.GetRawText());
        Assert.DoesNotContain("张", tally.GetRawText());

        // A recount from the tally, to the square metre, gives the published results.
        var results = tally.GetProperty("results");
        foreach (var option in results.GetProperty("options").EnumerateArray())
        {
            var mine = items.Where(i => i.GetProperty("optionId").GetInt64() == option.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(mine.Sum(i => i.GetProperty("voters").GetInt32()), option.GetProperty("voters").GetInt32());
            Assert.Equal(mine.Sum(i => i.GetProperty("areaM2").GetDecimal()), option.GetProperty("areaM2").GetDecimal());
        }

        // 3 of 4 voters, 247.5 of 332 m² took part (≥ 2/3 of both); 2 voters and 164 m² said yes (> 1/2 of each).
        Assert.True(results.GetProperty("participation").GetProperty("quorumMet").GetBoolean());
        Assert.True(results.GetProperty("passed").GetBoolean());
        var closed = await Json(await voters[0].GetAsync($"/api/v1/votes/{id}"));
        Assert.Equal("closed", closed.GetProperty("status").GetString());

        // Every leaf rebuilds from the published line; the root matches the signed head; each voter proves their own.
        var head = tally.GetProperty("head");
        var leaves = items.Select(i => Independent.MerkleTree.HashLeaf(System.Text.Encoding.UTF8.GetBytes(
            $"{{\"areaCenti\":{(long)(i.GetProperty("areaM2").GetDecimal() * 100)},\"channel\":\"{i.GetProperty("channel").GetString()}\",\"optionId\":{i.GetProperty("optionId").GetInt64()},\"receipt\":\"{i.GetProperty("receipt").GetString()}\",\"voteId\":{id},\"voters\":{i.GetProperty("voters").GetInt32()}}}"))).ToList();
        Assert.Equal(head.GetProperty("rootHash").GetString(), Convert.ToHexStringLower(Independent.MerkleTree.RootHash(leaves)));
        var proof = await Json(await voters[2].GetAsync($"/api/v1/votes/{id}/tally/proof?receipt={receipts[2].ToLowerInvariant()}"));
        Assert.True(Independent.MerkleTree.VerifyInclusion(proof.GetProperty("index").GetInt64(), head.GetProperty("treeSize").GetInt64(),
            Convert.FromHexString(proof.GetProperty("leafHash").GetString()!),
            proof.GetProperty("path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList(),
            Convert.FromHexString(head.GetProperty("rootHash").GetString()!)));

        var queries = App.Services.GetRequiredService<VoteQueries>();
        await using (var db = App.SystemDb())
        {
            Assert.True(await queries.TallyIntactAsync(db, id, CancellationToken.None));
            Assert.Single(await db.Notices.Where(n => n.VoteId == id && n.KeepUntil != null).ToListAsync());
            // Someone with database access turns a "no" into a "yes": the signed tally no longer matches.
            await db.Ballots.Where(b => b.VoteId == id && b.Receipt == receipts[2]).ExecuteUpdateAsync(u => u.SetProperty(b => b.OptionId, Option(vote, 0)));
            Assert.False(await queries.TallyIntactAsync(db, id, CancellationToken.None));
        }

        var results2 = await committee.GetAsync($"/api/v1/admin/votes/{id}/results.xlsx");
        Assert.Equal(HttpStatusCode.OK, results2.StatusCode);
    }

    [Fact]
    public async Task Art_278_needs_fifteen_days_notice_only_organisers_create_and_other_estates_see_nothing()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        var now = DateTimeOffset.UtcNow;
        var tooSoon = await PostKeyed(committee, "/api/v1/admin/votes", new
        {
            estateId = Org.EstateA1,
            title = "续聘物业",
            description = "续聘测试物业三年。",
            options = new[] { "同意", "不同意" },
            rule = "art278_ordinary",
            noticeAt = now,
            opensAt = now.AddDays(14),
            closesAt = now.AddDays(20),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooSoon.StatusCode);
        Assert.Contains("15 日", (await Json(tooSoon)).GetProperty("errors").GetProperty("opensAt")[0].GetString());
        await using (var db = App.SystemDb())
        {
            Assert.False(await db.Votes.AnyAsync());
        }

        var bad = await PostKeyed(committee, "/api/v1/admin/votes", new { estateId = Org.EstateA1, title = "", options = new[] { "同意" }, rule = "majority" });
        var errors = (await Json(bad)).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True(errors.TryGetProperty("title", out _) && errors.TryGetProperty("rule", out _) && errors.TryGetProperty("options", out _));

        var firm = await App.AdminClientAsync("firmF");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostKeyed(firm, "/api/v1/admin/votes", new
        {
            estateId = Org.EstateA1,
            title = "续聘物业",
            description = "续聘测试物业三年。",
            options = new[] { "同意", "不同意" },
            rule = "simple",
            noticeAt = now,
            opensAt = now.AddDays(1),
            closesAt = now.AddDays(2),
        })).StatusCode);

        var vote = await CreateAsync(committee);
        var id = vote.GetProperty("id").GetInt64();
        var (neighbour, _) = await VerifiedResidentAsync("wx-vote-a1", Org.HouseholdsA1[0]);
        var (stranger, _) = await VerifiedResidentAsync("wx-vote-a2", Org.HouseholdsA2[0]);
        Assert.Single((await Json(await neighbour.GetAsync("/api/v1/votes"))).GetProperty("items").EnumerateArray());
        Assert.Empty((await Json(await stranger.GetAsync("/api/v1/votes"))).GetProperty("items").EnumerateArray());
        await OpenAsync(id, neighbour);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/votes/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/votes/{id}/my-ballot")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostKeyed(stranger, $"/api/v1/votes/{id}/ballots", new { optionId = Option(vote, 0) })).StatusCode);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/votes/{id}")).StatusCode);

        // The announcement is on the estate's notice board, pinned.
        await using (var db = App.SystemDb())
        {
            var notice = await db.Notices.SingleAsync(n => n.VoteId == id);
            Assert.True(notice.Pinned);
            Assert.Contains("加装电梯", notice.Title);
        }
    }
}

/// <summary>Two instances reach a vote's end at the same moment: it is counted, committed and announced once.</summary>
[Collection(TwoInstancesCollection.Name)]
public sealed class VoteCloseRaceTests(TwoInstancesFixture fixture)
{
    [Fact]
    public async Task Two_instances_closing_at_once_count_the_vote_once()
    {
        long voteId;
        await using (var db = fixture.InstanceA.SystemDb())
        {
            var now = DateTimeOffset.UtcNow;
            var vote = new Vote
            {
                EstateId = fixture.Org.EstateB1,
                Title = $"并发结束 {Guid.NewGuid():N}"[..20],
                Description = "测试",
                Rule = VoteRule.Simple,
                Status = VoteStatus.Announced,
                NoticeAt = now.AddDays(-2),
                OpensAt = now.AddDays(-1),
                ClosesAt = now.AddSeconds(-1),
                CreatedAt = now,
                CreatedByName = "测试",
                CreatedByAdminId = 0,
            };
            db.Votes.Add(vote);
            await db.SaveChangesAsync();
            db.VoteOptions.AddRange(new VoteOption { VoteId = vote.Id, Ordinal = 1, Text = "同意" }, new VoteOption { VoteId = vote.Id, Ordinal = 2, Text = "不同意" });
            await db.SaveChangesAsync();
            voteId = vote.Id;
        }

        var desks = new[] { fixture.InstanceA, fixture.InstanceB, fixture.InstanceA, fixture.InstanceB }.Select(i => i.Services.GetRequiredService<VoteDesk>()).ToList();
        var closed = await Task.WhenAll(desks.Select(d => Task.Run(() => d.RunClockAsync(CancellationToken.None))));
        await using var check = fixture.InstanceA.SystemDb();
        var vote2 = await check.Votes.SingleAsync(v => v.Id == voteId);
        Assert.Equal(VoteStatus.Closed, vote2.Status);
        Assert.Equal(1, closed.Sum());
        Assert.Equal(1, await check.TransparencyLogs.CountAsync(l => l.Kind == VoteLeaf.LogKind && l.SubjectId == voteId));
        Assert.Equal(1, await check.Notices.CountAsync(n => n.VoteId == voteId));
        Assert.Equal(4, await check.Voters.CountAsync(v => v.VoteId == voteId)); // frozen once: B1's four flats
    }
}
