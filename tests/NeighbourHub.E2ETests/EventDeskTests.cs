using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

/// <summary>Issue 14: the door on a phone (a grid worker at 390 px), and who redeemed what on the time bank's 兑换 tab.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EventDeskTests(BrowserFixture fixture)
{
    private async Task<(HttpClient Client, long Id)> ResidentAsync(string code)
    {
        var (client, id, _) = await fixture.ResidentApiAsync(code);
        return (client, id);
    }

    [Fact]
    public async Task A_grid_worker_at_390_px_sees_the_check_in_button_without_scrolling_and_checks_a_ticket_in()
    {
        var now = DateTimeOffset.UtcNow;
        using var admin = await fixture.AdminApiAsync("adminA");
        // Estate A2 is in grid GA2: its grid worker runs the door.
        var created = await admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = fixture.Org.EstateA2,
            title = "重阳节敬老茶话会",
            location = "甲二小区活动室",
            startsAt = now.AddMinutes(-10),
            endsAt = now.AddHours(2),
            signupOpensAt = now.AddDays(-1),
            signupClosesAt = now.AddHours(1),
            capacity = 30,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var (resident, _) = await ResidentAsync("dev-door");
        // A verified owner: the desk names her by her name and flat, not by her WeChat nickname.
        await fixture.VerifyResidentAsync(resident, fixture.Org.HouseholdsA2[^1], "王秀英");
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync($"/api/v1/events/{eventId}/signups", null)).StatusCode);
        var ticket = (await resident.GetFromJsonAsync<JsonElement>($"/api/v1/events/{eventId}/ticket")).GetProperty("qrPayload").GetString()!;

        var page = await fixture.SignInAsync("gridA2");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"/admin/events/{eventId}");
        var button = page.Locator("#check-in");
        await button.WaitForAsync();
        var box = await button.BoundingBoxAsync();
        Assert.NotNull(box);
        // Whole button on the first screen, no scrolling: inside 390 × 844 and big enough to hit with a thumb.
        Assert.True(box.X >= 0 && box.X + box.Width <= 390 && box.Y >= 0 && box.Y + box.Height <= 844, $"签到 at {box.X},{box.Y} {box.Width}×{box.Height}");
        Assert.True(box.Height >= 36, $"签到 only {box.Height} px tall");
        Assert.Equal(390, await page.EvaluateAsync<int>("document.documentElement.clientWidth"));
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways at 390 px");

        await page.Locator("#qr-payload").FillAsync(ticket);
        await button.ClickAsync();
        await Assertions.Expect(page.GetByText("签到成功")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("王秀英（")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("recent-checkins")).ToContainTextAsync("王秀英 · ");
        await fixture.ScreenshotAsync(page, "event-checkin-grid");

        var signups = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/events/{eventId}/signups");
        Assert.NotEqual(JsonValueKind.Null, signups.GetProperty("items")[0].GetProperty("checkedInAt").ValueKind);
    }

    [Fact]
    public async Task The_office_edits_an_event_with_chinese_pickers_and_the_change_is_saved()
    {
        var now = DateTimeOffset.UtcNow;
        using var admin = await fixture.AdminApiAsync("adminA");
        var created = await admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = fixture.Org.EstateA1,
            title = "社区义诊",
            location = "小区广场",
            startsAt = now.AddDays(3),
            endsAt = now.AddDays(3).AddHours(2),
            signupOpensAt = now.AddHours(-1),
            signupClosesAt = now.AddDays(2),
            capacity = 20,
        });
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync($"/admin/events/{eventId}");
        await page.Locator("#edit-event").ClickAsync();
        var location = page.Locator("[data-testid=event-location] input, input[data-testid=event-location]");
        await location.FillAsync("社区卫生服务站");
        // The pickers speak Chinese: the date dialog names months and weekdays in zh-CN.
        await page.Locator("[data-testid=event-starts-date] input, input[data-testid=event-starts-date]").First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-picker-calendar-header").First).ToContainTextAsync("月");
        await fixture.ScreenshotAsync(page, "event-edit-picker");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#save-event").ClickAsync();
        await Assertions.Expect(page.GetByText("已保存「社区义诊」")).ToBeVisibleAsync();

        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/events/{eventId}");
        Assert.Equal("社区卫生服务站", view.GetProperty("location").GetString());
    }

    [Fact]
    public async Task The_committee_sees_events_without_the_buttons_that_run_them()
    {
        var page = await fixture.SignInAsync("committeeA1");
        await page.GotoAsync("/admin/events");
        await Assertions.Expect(page.GetByText("活动报名").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("发布新活动")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_redemptions_tab_names_who_redeemed_what()
    {
        using var admin = await fixture.AdminApiAsync("adminA");
        var (resident, residentId) = await ResidentAsync("dev-redeem");
        var apply = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[3], relation = "owner", realName = "周桂兰" });
        Assert.Equal(HttpStatusCode.Created, apply.StatusCode);
        var residenceId = (await apply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residenceId}/approve", null)).StatusCode);
        var grant = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/timebank/grants") { Content = JsonContent.Create(new { residentId, points = 80, memo = "助老陪诊 4 小时" }) };
        grant.Headers.Add("Idempotency-Key", "e2e-redeem");
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(grant)).StatusCode);
        var reward = await admin.PostAsJsonAsync("/api/v1/admin/timebank/rewards", new { communityId = fixture.Org.CommunityA, name = "大米一袋（5kg）", pointsCost = 50, stock = 3 });
        var rewardId = (await reward.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var redeem = new HttpRequestMessage(HttpMethod.Post, "/api/v1/timebank/redemptions") { Content = JsonContent.Create(new { rewardId, quantity = 1 }) };
        redeem.Headers.Add("Idempotency-Key", "e2e-redeem-1");
        Assert.Equal(HttpStatusCode.Created, (await resident.SendAsync(redeem)).StatusCode);

        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync("/admin/timebank");
        await page.GetByRole(AriaRole.Tab, new() { Name = "兑换" }).ClickAsync();
        var row = page.GetByTestId("redemption-row").Filter(new() { HasText = "大米一袋（5kg）" });
        await Assertions.Expect(row).ToContainTextAsync("周**");
        await Assertions.Expect(row).ToContainTextAsync("1栋1单元104");
        await Assertions.Expect(row).ToContainTextAsync("待领取");
        await fixture.ScreenshotAsync(page, "timebank-redemptions");

        await page.GetByRole(AriaRole.Tab, new() { Name = "流水" }).ClickAsync();
        await Assertions.Expect(page.GetByText("社区积分池 · 甲社区").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("P:")).ToHaveCountAsync(0);
    }
}
