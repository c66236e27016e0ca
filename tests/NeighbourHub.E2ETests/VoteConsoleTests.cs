using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

/// <summary>
/// Owners' votes in the console: a committee member opens a running (simple) vote, sees only turnout, enters a paper
/// ballot with the scan of the signed ballot, sees turnout rise, closes the vote and reads results and tally; a resident
/// who voted online finds their receipt in the published tally through the API.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VoteConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Committee_enters_a_paper_ballot_sees_turnout_rise_closes_the_vote_and_the_resident_finds_their_receipt()
    {
        var org = fixture.Org;
        using var committeeApi = await fixture.AdminApiAsync("committeeA1");
        using var office = await fixture.AdminApiAsync("adminA");

        // A resident owner of 1栋1单元101, approved by the community.
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-vote-owner" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var applied = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = org.HouseholdsA1[0], relation = "owner", realName = "表决业主" });
        Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync());
        var residence = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);

        // A simple poll (意见征询), created through the desk and then moved back in time so that it has been open a day.
        var now = DateTimeOffset.UtcNow;
        var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/votes")
        {
            Content = JsonContent.Create(new
            {
                estateId = org.EstateA1,
                title = "小区东门增设快递柜",
                description = "在东门内侧增设快递柜一组，由快递公司出资，不收场地费。",
                options = new[] { "同意", "不同意", "弃权" },
                rule = "simple",
                noticeAt = now,
                opensAt = now.AddDays(1),
                closesAt = now.AddDays(8),
            }),
        };
        create.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var created = await committeeApi.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var vote = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = vote.GetProperty("id").GetInt64();
        var agree = vote.GetProperty("options")[0].GetProperty("id").GetInt64();
        await using (var db = fixture.App.SystemDb())
        {
            await db.Votes.Where(v => v.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(v => v.NoticeAt, v => v.NoticeAt.AddDays(-2)).SetProperty(v => v.OpensAt, v => v.OpensAt.AddDays(-2)));
        }

        // The resident votes online; the tally is not published while the vote is open.
        var cast = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/votes/{id}/ballots") { Content = JsonContent.Create(new { optionId = agree }) };
        cast.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var castAnswer = await resident.SendAsync(cast);
        Assert.Equal(HttpStatusCode.Created, castAnswer.StatusCode);
        var receipt = (await castAnswer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receipt").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await resident.GetAsync($"/api/v1/votes/{id}/tally")).StatusCode);

        // The committee member opens the vote: turnout only.
        var page = await fixture.SignInAsync("committeeA1");
        await page.GotoAsync($"/admin/votes?estate={org.EstateA1}");
        await page.GetByTestId($"vote-{id}").GetByText("小区东门增设快递柜").ClickAsync();
        await page.WaitForURLAsync($"**/admin/votes/{id}");
        await Assertions.Expect(page.GetByTestId("vote-status")).ToHaveTextAsync("投票中");
        await Assertions.Expect(page.GetByTestId("vote-turnout-text")).ToContainTextAsync("已投 1 / 4 人");
        await Assertions.Expect(page.GetByTestId("building-1栋")).ToContainTextAsync("1 / 4 户");
        var whileOpen = new List<string> { await page.Locator("body").InnerTextAsync() };
        var electorate = await page.Context.APIRequest.GetAsync($"/admin/files/votes/{id}/electorate.xlsx");
        Assert.Equal(200, electorate.Status);
        Assert.Equal(0, await page.GetByTestId("vote-results-xlsx").CountAsync());

        // The flat that voted online shows when and how, and offers no entry.
        await Input(page, "flat-search").FillAsync("101");
        await Assertions.Expect(page.GetByTestId("flat-1栋1单元101")).ToContainTextAsync("线上投票");
        Assert.Equal(0, await page.GetByTestId("flat-1栋1单元101-enter").CountAsync());

        // A paper ballot for 1栋1单元102, with the scan of the signed ballot.
        await Input(page, "flat-search").FillAsync("102");
        await page.GetByTestId("flat-1栋1单元102-enter").ClickAsync();
        var form = page.GetByTestId("ballot-form");
        await form.GetByText("不同意", new() { Exact = true }).ClickAsync();
        await form.GetByText("纸质选票（业主本人签字）").ClickAsync();
        await page.Locator("[data-testid=ballot-scan] input[type=file], input[type=file]").First.SetInputFilesAsync(
            new FilePayload { Name = "选票-102.png", MimeType = "image/png", Buffer = TestImages.Png });
        await Assertions.Expect(page.GetByTestId("ballot-scan-name")).ToContainTextAsync("选票-102.png");
        await page.GetByTestId("ballot-submit").ClickAsync();
        var paperReceipt = (await page.GetByTestId("ballot-receipt").InnerTextAsync()).Trim();
        Assert.Matches("^[A-Z0-9]{8}$", paperReceipt);
        await page.GetByTestId("ballot-receipt-ok").ClickAsync();

        // Turnout rises; still no per-option number anywhere on the page.
        await Assertions.Expect(page.GetByTestId("vote-turnout-text")).ToContainTextAsync("已投 2 / 4 人");
        await Assertions.Expect(page.GetByTestId("building-1栋")).ToContainTextAsync("2 / 4 户");
        await Assertions.Expect(page.GetByTestId("flat-1栋1单元102")).ToContainTextAsync("纸质选票");
        whileOpen.Add(await page.Locator("body").InnerTextAsync());
        await fixture.ScreenshotAsync(page, "vote-open");
        foreach (var text in whileOpen)
        {
            Assert.DoesNotContain("计票结果", text);
            Assert.DoesNotContain("各选项人数", text);
            Assert.DoesNotContain("占参与人数", text);
            Assert.DoesNotContain("计票明细", text);
        }

        Assert.Equal(0, await page.GetByTestId("vote-results").CountAsync());

        // Close (a simple poll may close early): results with both shares, and the tally.
        await page.GetByTestId("vote-close").ClickAsync();
        await page.GetByTestId("vote-close-confirm").ClickAsync();
        await Assertions.Expect(page.GetByText("投票已结束：结果和计票明细已公布")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("vote-status")).ToHaveTextAsync("已结束");
        await Assertions.Expect(page.GetByTestId("vote-verdict")).ToContainTextAsync("未通过");
        var results = page.GetByTestId("vote-results-table");
        await Assertions.Expect(results.Locator("tr", new() { HasText = "所表决的方案" })).ToContainTextAsync("81.50");
        await Assertions.Expect(results.Locator("tr", new() { HasText = "不同意" })).ToContainTextAsync("82.50");
        await Assertions.Expect(page.GetByTestId("tally-table").Locator("tbody tr")).ToHaveCountAsync(2);
        await Input(page, "tally-search").FillAsync(paperReceipt);
        await Assertions.Expect(page.GetByTestId("tally-table").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId($"tally-{paperReceipt}")).ToContainTextAsync("不同意");
        await Assertions.Expect(page.GetByTestId($"tally-{paperReceipt}")).ToContainTextAsync("纸质选票");
        await Input(page, "tally-search").FillAsync("");
        await Assertions.Expect(page.GetByTestId("tally-table").Locator("tbody tr")).ToHaveCountAsync(2);
        await page.GetByTestId("tally-head").GetByText("签名树头（供核验）").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tally-head")).ToContainTextAsync("根哈希");
        await Assertions.Expect(page.GetByTestId("vote-results-xlsx")).ToBeVisibleAsync();
        var resultsFile = await page.Context.APIRequest.GetAsync($"/admin/files/votes/{id}/results.xlsx");
        Assert.Equal(200, resultsFile.Status);
        Assert.Equal((byte)'P', (await resultsFile.BodyAsync())[0]); // a zip container, as every .xlsx
        await fixture.ScreenshotAsync(page, "vote-closed");

        // The resident finds their own ballot in the published tally.
        var tally = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/votes/{id}/tally");
        var mine = tally.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("receipt").GetString() == receipt);
        Assert.Equal(agree, mine.GetProperty("optionId").GetInt64());
        Assert.Equal("online", mine.GetProperty("channel").GetString());
        Assert.Equal(81.5m, mine.GetProperty("areaM2").GetDecimal());
        Assert.Equal(2, tally.GetProperty("total").GetInt64());

        if (fixture.ScreenshotDir is not null)
        {
            await page.GotoAsync($"/admin/votes?estate={org.EstateA1}");
            await Assertions.Expect(page.GetByTestId($"vote-{id}")).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "vote-list");
            await page.GotoAsync($"/admin/votes/new?estateId={org.EstateA1}");
            await Assertions.Expect(page.GetByTestId("vote-new-notice-rule")).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "vote-new");
            await page.GotoAsync($"/admin/estates/{org.EstateA1}");
            await Assertions.Expect(page.GetByText("开发商持有（未售/未交付）")).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "estate-households");
        }
    }

    [Fact]
    public async Task Committee_creates_an_art278_vote_the_notice_period_shows_under_its_field_then_cancels_it_and_an_admin_marks_a_developer_flat()
    {
        var org = fixture.Org;
        var page = await fixture.SignInAsync("committeeA1");

        // From a topic (议题): the form takes its title and text, and its estate.
        long topicId;
        await using (var db = fixture.App.SystemDb())
        {
            var topic = new Web.Features.Topics.Topic
            {
                EstateId = org.EstateA1,
                Title = "加装电梯议题",
                Body = "1栋居民提出加装电梯。",
                AuthorName = "居民",
                CreatedAt = DateTimeOffset.UtcNow,
                Kind = Web.Features.Topics.TopicKind.Major,
            };
            db.Topics.Add(topic);
            await db.SaveChangesAsync();
            topicId = topic.Id;
        }

        await page.GotoAsync($"/admin/votes/new?topicId={topicId}");
        await Assertions.Expect(page.GetByTestId("vote-topic")).ToContainTextAsync("加装电梯议题");
        await Assertions.Expect(Input(page, "vote-new-title")).ToHaveValueAsync("加装电梯议题");
        await Assertions.Expect(Input(page, "vote-new-description")).ToHaveValueAsync("1栋居民提出加装电梯。");

        await page.GotoAsync($"/admin/votes?estate={org.EstateA1}");
        await page.GetByTestId("vote-new").ClickAsync();
        await page.WaitForURLAsync("**/admin/votes/new?estateId=*");
        await Input(page, "vote-new-title").FillAsync("续聘物业服务企业");
        await Input(page, "vote-new-description").FillAsync("续聘现物业服务企业三年，服务标准和收费标准不变。");
        // Opening ten days after the notice: too early for an art. 278 vote (15 days).
        var notice = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddHours(1);
        await Input(page, "vote-new-notice").FillAsync(notice.ToString("yyyy-MM-dd'T'HH:mm"));
        await Input(page, "vote-new-opens").FillAsync(notice.AddDays(10).ToString("yyyy-MM-dd'T'HH:mm"));
        await Input(page, "vote-new-closes").FillAsync(notice.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm"));
        await Assertions.Expect(page.GetByTestId("vote-new-notice-rule")).ToContainTextAsync("当前开始时间不满足公告期");
        await page.GetByTestId("vote-new-submit").ClickAsync();
        await Assertions.Expect(page.GetByText("须在投票开始前至少 15 日公告（公告")).ToBeVisibleAsync();
        Assert.Contains("/admin/votes/new", page.Url);

        await Input(page, "vote-new-opens").FillAsync(notice.AddDays(16).ToString("yyyy-MM-dd'T'HH:mm"));
        await page.GetByTestId("vote-new-submit").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/votes/\\d+$"));
        await Assertions.Expect(page.GetByTestId("vote-status")).ToHaveTextAsync("已公告");
        await Assertions.Expect(page.GetByTestId("vote-title")).ToHaveTextAsync("续聘物业服务企业");
        await Assertions.Expect(page.GetByText("民法典第278条一般事项")).ToBeVisibleAsync();
        var voteId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        await using (var db = fixture.App.SystemDb())
        {
            var vote = await db.Votes.SingleAsync(v => v.Id == voteId);
            Assert.Equal(TimeSpan.FromDays(16), vote.OpensAt - vote.NoticeAt);
            Assert.Equal(["同意", "不同意", "弃权"], await db.VoteOptions.Where(o => o.VoteId == voteId).OrderBy(o => o.Ordinal).Select(o => o.Text).ToListAsync());
        }

        // Cancelled before it opens, with a public reason.
        await page.GetByTestId("vote-cancel").ClickAsync();
        await Input(page, "vote-cancel-reason").FillAsync("业主提出先召开议事会讨论服务标准");
        await page.GetByTestId("vote-cancel-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("vote-status")).ToHaveTextAsync("已取消");
        await Assertions.Expect(page.GetByText("取消原因：")).ToBeVisibleAsync();

        // The community admin marks 1栋1单元104 as held by the developer, and back (audited both ways).
        var admin = await fixture.SignInAsync("adminA");
        await admin.GotoAsync($"/admin/estates/{org.EstateA1}");
        var held = admin.GetByTestId("held-1栋1单元104");
        await held.ClickAsync();
        await Assertions.Expect(admin.GetByText("1栋1单元104 已标记为开发商持有。")).ToBeVisibleAsync();
        await using (var db = fixture.App.SystemDb())
        {
            Assert.True((await db.Households.SingleAsync(h => h.Id == org.HouseholdsA1[3])).HeldByDeveloper);
        }

        await admin.GetByTestId("held-1栋1单元104").ClickAsync();
        await Assertions.Expect(admin.GetByText("1栋1单元104 已取消开发商持有标记。")).ToBeVisibleAsync();
        await using (var db = fixture.App.SystemDb())
        {
            Assert.False((await db.Households.SingleAsync(h => h.Id == org.HouseholdsA1[3])).HeldByDeveloper);
            var id = org.HouseholdsA1[3].ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(2, await db.AuditLogs.CountAsync(a => a.EntityType == "Household" && a.EntityId == id && a.Action == "modified" && a.ActorName == "adminA"));
        }
    }

    /// <summary>A MudBlazor text field's input (or text area), whether its test id landed on the input or on its wrapper.</summary>
    private static ILocator Input(IPage page, string testId) => page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea").First;
}
