using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.Topics;

namespace NeighbourHub.IntegrationTests.Topics;

/// <summary>
/// 议事 over real HTTP on MariaDB: residents raise topics screened by the WeChat fake ("违禁" is risky, "待审" is held),
/// neighbours support them once each (races included) and comment, and the estate's committee or community sorts
/// them 三事分流 while firm staff and grid workers may only read.
/// </summary>
public sealed class TopicTests(AppFixture fixture) : AppTest(fixture)
{
    private const string Topics = "/api/v1/topics";
    private const string Admin = "/api/v1/admin/topics";

    /// <summary>A resident of estate A1's 1栋 with a real name, approved by the community.</summary>
    private async Task<HttpClient> NeighbourAsync(string code, int flat, string realName)
    {
        var client = await App.ResidentClientAsync(code);
        var residence = await ApplyAsync(client, Org.HouseholdsA1[flat], relation: "family", realName: realName);
        var admin = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        return client;
    }

    private async Task<JsonElement> RaiseAsync(HttpClient client, string title, string body, long? estateId = null)
    {
        var response = await client.PostAsJsonAsync(Topics, new { estateId = estateId ?? Org.EstateA1, title, body });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await Json(response);
    }

    private static async Task<JsonElement> OkJson(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static IEnumerable<long> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64());

    private async Task<int> CountAsync<T>() where T : class
    {
        await using var db = App.SystemDb();
        return await db.Set<T>().CountAsync();
    }

    [Fact]
    public async Task Risky_text_is_refused_and_doubtful_text_is_held_for_the_author_and_staff_until_released()
    {
        var author = await NeighbourAsync("wx-topic-author", 0, "王建国");
        var neighbour = await NeighbourAsync("wx-topic-neighbour", 1, "李梅");

        // Risky: 400 on the field, in Chinese, and nothing kept.
        var risky = await author.PostAsJsonAsync(Topics, new { estateId = Org.EstateA1, title = "小区停车", body = "这是违禁内容" });
        Assert.Equal(HttpStatusCode.BadRequest, risky.StatusCode);
        var problem = await Json(risky);
        Assert.Contains("内容安全", problem.GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync<Topic>());

        // Doubtful: held, with a message saying so.
        var raised = await RaiseAsync(author, "楼下烧烤油烟扰民", "每晚待审的烧烤摊油烟很大，能否协调？");
        Assert.True(raised.GetProperty("held").GetBoolean());
        Assert.Contains("审核", raised.GetProperty("message").GetString(), StringComparison.Ordinal);
        var id = raised.GetProperty("id").GetInt64();
        Assert.Equal("1栋 王**", raised.GetProperty("topic").GetProperty("author").GetString());

        // The author sees it (marked held); a neighbour does not, not even by id; firm staff (who see the estate) do.
        var mine = await OkJson(author.GetAsync($"{Topics}/{id}"));
        Assert.True(mine.GetProperty("held").GetBoolean());
        Assert.True(mine.GetProperty("mine").GetBoolean());
        Assert.DoesNotContain(id, Ids(await OkJson(neighbour.GetAsync($"{Topics}?estateId={Org.EstateA1}"))));
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync($"{Topics}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.PostAsync($"{Topics}/{id}/support", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync($"{Topics}/{id}/comments")).StatusCode);
        var firm = await App.AdminClientAsync("firmF");
        Assert.Contains(id, Ids(await OkJson(firm.GetAsync($"{Admin}?held=true"))));

        // Only the sorting roles release; then every neighbour sees it.
        var refused = await firm.PostAsync($"{Admin}/{id}/release", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("业委会", (await Json(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var committee = await App.AdminClientAsync("committeeA1");
        var released = await OkJson(committee.PostAsync($"{Admin}/{id}/release", null));
        Assert.False(released.GetProperty("held").GetBoolean());
        Assert.Contains(id, Ids(await OkJson(neighbour.GetAsync(Topics))));
        Assert.Equal("1栋 王**", (await OkJson(neighbour.GetAsync($"{Topics}/{id}"))).GetProperty("author").GetString());

        // Comments: a held one is seen by its writer and staff only, until released.
        var comment = await neighbour.PostAsJsonAsync($"{Topics}/{id}/comments", new { text = "同意，待审的摊位确实影响休息" });
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        var c = await Json(comment);
        Assert.True(c.GetProperty("held").GetBoolean());
        var commentId = c.GetProperty("id").GetInt64();
        Assert.Equal("1栋 李*", c.GetProperty("author").GetString());
        Assert.Empty((await OkJson(author.GetAsync($"{Topics}/{id}/comments"))).GetProperty("items").EnumerateArray());
        Assert.Single((await OkJson(neighbour.GetAsync($"{Topics}/{id}/comments"))).GetProperty("items").EnumerateArray());
        Assert.Contains(commentId, Ids(await OkJson(committee.GetAsync("/api/v1/admin/topic-comments"))));
        Assert.Equal(HttpStatusCode.Forbidden, (await firm.PostAsync($"{Admin}/{id}/comments/{commentId}/release", null)).StatusCode);
        await OkJson(committee.PostAsync($"{Admin}/{id}/comments/{commentId}/release", null));
        var seen = (await OkJson(author.GetAsync($"{Topics}/{id}/comments"))).GetProperty("items").EnumerateArray().Single();
        Assert.Equal("同意，待审的摊位确实影响休息", seen.GetProperty("text").GetString());

        // A plain comment is public at once; a risky one is refused and nothing is kept.
        Assert.Equal(HttpStatusCode.Created, (await author.PostAsJsonAsync($"{Topics}/{id}/comments", new { text = "谢谢大家支持" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await author.PostAsJsonAsync($"{Topics}/{id}/comments", new { text = "违禁言论" })).StatusCode);
        Assert.Equal(2, await CountAsync<TopicComment>());
    }

    [Fact]
    public async Task Twenty_neighbours_supporting_at_once_count_exactly_twenty_and_a_repeat_counts_nothing()
    {
        var author = await NeighbourAsync("wx-topic-lift", 0, "张秀英");
        var id = (await RaiseAsync(author, "3栋加装电梯", "3栋老人多，爬楼困难，提议加装电梯，费用按楼层分摊。")).GetProperty("id").GetInt64();
        var people = await App.CreateResidentsAsync("wx-topic-supporter", 20);
        await using (var db = App.SystemDb())
        {
            for (var i = 0; i < people.Count; i++)
            {
                var home = Org.HouseholdsA1[i % Org.HouseholdsA1.Count];
                var residence = Residence.Apply(people[i].Id, home, Org.EstateA1, ResidenceRelation.Family, $"邻居{i}", DateTimeOffset.UtcNow);
                residence.Approve(null, DateTimeOffset.UtcNow);
                db.Residences.Add(residence);
            }

            await db.SaveChangesAsync();
        }

        var clients = people.Select(p => App.ClientWithToken(p.Token)).ToList();
        var answers = await Task.WhenAll(clients.Select(c => c.PostAsync($"{Topics}/{id}/support", null)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var topic = await OkJson(author.GetAsync($"{Topics}/{id}"));
        Assert.Equal(20, topic.GetProperty("supporters").GetInt32());
        Assert.False(topic.GetProperty("supportedByMe").GetBoolean());
        Assert.Equal(20, await CountAsync<TopicSupport>());

        // Again, even twice at once: 200 with the same state, never a second count.
        var again = await Task.WhenAll(clients[0].PostAsync($"{Topics}/{id}/support", null), clients[0].PostAsync($"{Topics}/{id}/support", null));
        foreach (var a in again)
        {
            var state = await Json(a);
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(20, state.GetProperty("supporters").GetInt32());
            Assert.True(state.GetProperty("supportedByMe").GetBoolean());
        }

        Assert.True((await OkJson(clients[0].GetAsync($"{Topics}/{id}"))).GetProperty("supportedByMe").GetBoolean());

        // Withdrawing counts down once.
        Assert.Equal(19, (await OkJson(clients[0].DeleteAsync($"{Topics}/{id}/support"))).GetProperty("supporters").GetInt32());
        var twice = await OkJson(clients[0].DeleteAsync($"{Topics}/{id}/support"));
        Assert.Equal(19, twice.GetProperty("supporters").GetInt32());
        Assert.False(twice.GetProperty("supportedByMe").GetBoolean());
        Assert.Equal(19, await CountAsync<TopicSupport>());
    }

    [Fact]
    public async Task Committee_sorts_a_minor_topic_and_records_the_decision_on_a_public_timeline_while_firm_and_grid_staff_may_not()
    {
        var author = await NeighbourAsync("wx-topic-dance", 0, "刘德福");
        var id = (await RaiseAsync(author, "广场舞音量和时段", "晚上九点后广场舞音乐仍很大，建议限定时段和音量。")).GetProperty("id").GetInt64();

        var firm = await App.AdminClientAsync("firmF");
        var forbidden = await firm.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "minor", note = "物业想分流" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("只有本小区业委会成员", (await Json(forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var grid = await App.AdminClientAsync("gridA2");
        Assert.Equal(HttpStatusCode.Forbidden, (await grid.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "minor" })).StatusCode);

        // Bad input is refused in Chinese and changes nothing.
        var committee = await App.AdminClientAsync("committeeA1");
        var bad = await committee.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "urgent", note = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("分流类别", (await Json(bad)).GetProperty("errors").GetProperty("kind")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("open", (await OkJson(author.GetAsync($"{Topics}/{id}"))).GetProperty("status").GetString());
        // Deciding before sorting is a wrong state.
        Assert.Equal(HttpStatusCode.Conflict, (await committee.PostAsJsonAsync($"{Admin}/{id}/decide", new { outcome = "限时" })).StatusCode);

        var sorted = await OkJson(committee.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "minor", note = "涉及全体居民作息，由议事会协商" }));
        Assert.Equal("minor", sorted.GetProperty("kind").GetString());
        Assert.Equal("accepted", sorted.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await committee.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "major" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await committee.PostAsJsonAsync($"{Admin}/{id}/decide", new { outcome = "" })).StatusCode);
        var decided = await OkJson(committee.PostAsJsonAsync($"{Admin}/{id}/decide",
            new { outcome = "广场舞限 19:00–21:00，音量不超过 60 分贝", note = "议事会 7 人一致同意" }));
        Assert.Equal("decided", decided.GetProperty("status").GetString());

        // The timeline, as neighbours read it: in order, with names and roles, never login names.
        var timeline = (await OkJson(author.GetAsync($"{Topics}/{id}"))).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["raised", "classified", "decided"], timeline.Select(s => s.GetProperty("action").GetString()!).ToArray());
        Assert.Equal(["提出议题", "三事分流", "作出决定"], timeline.Select(s => s.GetProperty("actionName").GetString()!).ToArray());
        var times = timeline.Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal("1栋 刘**", timeline[0].GetProperty("actor").GetString());
        Assert.Equal("committeeA1（业委会）", timeline[1].GetProperty("actor").GetString());
        Assert.Contains("议事会 7 人一致同意", timeline[2].GetProperty("note").GetString(), StringComparison.Ordinal);

        // The author is told twice: sorted, decided.
        await using (var db = App.SystemDb())
        {
            var keys = await db.OutboxMessages.Select(m => m.Key).ToListAsync();
            Assert.Contains($"topic.sorted:{id}", keys);
            Assert.Contains($"topic.decided:{id}", keys);
        }

        // A resident of another estate finds nothing.
        var (stranger, _) = await VerifiedResidentAsync("wx-topic-stranger", Org.HouseholdsA2[0]);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"{Topics}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"{Topics}/{id}/support", null)).StatusCode);
        Assert.Empty(Ids(await OkJson(stranger.GetAsync($"{Topics}?estateId={Org.EstateA1}"))));
        var foreignOffice = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await foreignOffice.GetAsync($"{Admin}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await foreignOffice.PostAsJsonAsync($"{Admin}/{id}/close", new { reason = "越权" })).StatusCode);
    }

    [Fact]
    public async Task A_routine_topic_is_handed_to_the_trustee_as_a_linked_public_area_repair_whose_status_its_readers_follow()
    {
        var author = await NeighbourAsync("wx-topic-clutter", 0, "陈静");
        var id = (await RaiseAsync(author, "楼道堆物清理", "1栋2单元楼道堆满纸箱和旧家具，存在消防隐患。")).GetProperty("id").GetInt64();
        var office = await App.AdminClientAsync("adminA");
        var sorted = await OkJson(office.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "routine", note = "属物业日常管理", location = "1栋2单元楼道" }));
        Assert.Equal("routine", sorted.GetProperty("kind").GetString());
        var repairId = sorted.GetProperty("repairId").GetInt64();

        await using (var db = App.SystemDb())
        {
            var repair = await db.Repairs.SingleAsync(r => r.Id == repairId);
            Assert.Equal(Org.EstateA1, repair.EstateId);
            Assert.Equal(RepairSource.Topic, repair.Source);
            Assert.Null(repair.ReporterId);
            Assert.Equal("1栋2单元楼道", repair.Location);
            Assert.Contains("楼道堆物清理", repair.Description, StringComparison.Ordinal);
            Assert.True(await db.RepairCategories.Where(c => c.Id == repair.CategoryId).Select(c => c.IsPublicArea).SingleAsync());
        }

        // The trustee sees it on its board; the author follows its status on the topic.
        var firm = await App.AdminClientAsync("firmF");
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{repairId}/grab", null)).StatusCode);
        var topic = await OkJson(author.GetAsync($"{Topics}/{id}"));
        Assert.Equal("assigned", topic.GetProperty("repair").GetProperty("status").GetString());
        var actions = topic.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("action").GetString()!).ToList();
        Assert.Equal(["raised", "classified", "handed_over", "repair_status"], actions);

        // A category that is not public-area is refused, and nothing changes.
        var other = await NeighbourAsync("wx-topic-other", 1, "周平");
        var second = (await RaiseAsync(other, "单元门闭门器坏了", "2单元门关不上。")).GetProperty("id").GetInt64();
        long privateCategory;
        await using (var db = App.SystemDb())
        {
            privateCategory = await db.RepairCategories.Where(c => c.EstateId == Org.EstateA1 && !c.IsPublicArea).Select(c => c.Id).FirstAsync();
        }

        var repairsBefore = await CountAsync<Repair>();
        Assert.Equal(HttpStatusCode.BadRequest, (await office.PostAsJsonAsync($"{Admin}/{second}/classify", new { kind = "routine", repairCategoryId = privateCategory })).StatusCode);
        Assert.Equal(repairsBefore, await CountAsync<Repair>());
        Assert.Equal("open", (await OkJson(office.GetAsync($"{Admin}/{second}"))).GetProperty("status").GetString());

        // Decided after the trustee's work; then closed, after which nobody supports it any more.
        await OkJson(office.PostAsJsonAsync($"{Admin}/{id}/decide", new { outcome = "物业已清理楼道并张贴禁止堆物提示" }));
        await OkJson(office.PostAsJsonAsync($"{Admin}/{id}/close", new { reason = "已办结" }));
        Assert.Equal(HttpStatusCode.Conflict, (await other.PostAsync($"{Topics}/{id}/support", null)).StatusCode);
    }

    [Fact]
    public async Task Invalid_topics_are_refused_field_by_field_in_Chinese_and_keep_nothing()
    {
        var author = await NeighbourAsync("wx-topic-invalid", 0, "赵敏");
        var response = await author.PostAsJsonAsync(Topics, new { estateId = Org.EstateA1, title = new string('长', 61), body = "" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Json(response)).GetProperty("errors");
        Assert.Equal("标题最多 60 个字。", errors.GetProperty("title")[0].GetString());
        Assert.Equal("内容必须填写。", errors.GetProperty("body")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await author.PostAsJsonAsync(Topics, new { estateId = Org.EstateA1, title = "好", body = new string('长', 2001) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await author.GetAsync($"{Topics}?status=done")).StatusCode);
        // An estate where the resident does not live.
        Assert.Equal(HttpStatusCode.Forbidden, (await author.PostAsJsonAsync(Topics, new { estateId = Org.EstateB1, title = "越界", body = "别的小区" })).StatusCode);
        Assert.Equal(0, await CountAsync<Topic>());

        var id = (await RaiseAsync(author, "增设快递柜", "建议在北门增设快递柜。")).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await author.PostAsJsonAsync($"{Topics}/{id}/comments", new { text = new string('长', 501) })).StatusCode);
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.BadRequest, (await committee.PostAsJsonAsync($"{Admin}/{id}/reject", new { reason = " " })).StatusCode);
        Assert.Equal(0, await CountAsync<TopicComment>());
        Assert.Equal("open", (await OkJson(author.GetAsync($"{Topics}/{id}"))).GetProperty("status").GetString());

        // Rejected with a public reason: the author reads it, and the matter is over.
        var rejected = await OkJson(committee.PostAsJsonAsync($"{Admin}/{id}/reject", new { reason = "快递柜已在社区统一规划中" }));
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("快递柜已在社区统一规划中", (await OkJson(author.GetAsync($"{Topics}/{id}"))).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await author.PostAsJsonAsync($"{Topics}/{id}/comments", new { text = "好吧" })).StatusCode);
    }

    [Fact]
    public async Task A_major_topic_waits_for_the_owners_vote_which_decides_it_through_the_board()
    {
        var author = await NeighbourAsync("wx-topic-major", 0, "孙立");
        var id = (await RaiseAsync(author, "使用维修资金更换消防管道", "消防管道锈蚀严重，提议动用专项维修资金更换。")).GetProperty("id").GetInt64();
        var committee = await App.AdminClientAsync("committeeA1");
        var sorted = await OkJson(committee.PostAsJsonAsync($"{Admin}/{id}/classify", new { kind = "major", note = "动用维修资金，须业主大会表决" }));
        Assert.Equal("accepted", sorted.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await committee.PostAsJsonAsync($"{Admin}/{id}/decide", new { outcome = "同意" })).StatusCode);

        // What the Votes feature does inside its transactions.
        var board = App.Services.GetRequiredService<TopicBoard>();
        await using (var db = App.SystemDb())
        {
            await board.PutToVoteAsync(db, id, Org.EstateA1, 4242, "赵主任（业委会）", CancellationToken.None);
            await db.SaveChangesAsync();
        }

        var inVote = await OkJson(author.GetAsync($"{Topics}/{id}"));
        Assert.Equal("in_vote", inVote.GetProperty("status").GetString());
        Assert.Equal(4242, inVote.GetProperty("voteId").GetInt64());
        await using (var db = App.SystemDb())
        {
            await board.DecideByVoteAsync(db, id, "表决通过：同意动用维修资金更换消防管道", CancellationToken.None);
            await db.SaveChangesAsync();
            Assert.True(await db.OutboxMessages.AnyAsync(m => m.Key == $"topic.decided:{id}"));
        }

        var decided = await OkJson(author.GetAsync($"{Topics}/{id}"));
        Assert.Equal("decided", decided.GetProperty("status").GetString());
        Assert.Equal(["raised", "classified", "put_to_vote", "decided"],
            decided.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("action").GetString()!).ToArray());
    }
}
