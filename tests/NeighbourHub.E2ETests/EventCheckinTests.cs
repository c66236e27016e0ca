using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

[Collection(BrowserCollection.Name)]
public sealed class EventCheckinTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Organiser_checks_in_a_resident_by_pasting_the_ticket_and_completes_the_event()
    {
        var now = DateTimeOffset.UtcNow;
        using var admin = await fixture.AdminApiAsync("adminA");
        var created = await admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = fixture.Org.EstateA1,
            title = "垃圾分类督导",
            location = "3栋投放点",
            startsAt = now.AddMinutes(-10),
            endsAt = now.AddHours(2),
            signupOpensAt = now.AddDays(-1),
            signupClosesAt = now.AddHours(1),
            capacity = 5,
            isVolunteer = true,
            pointsAwarded = 20,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-volunteer" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsync($"/api/v1/events/{eventId}/signups", null)).StatusCode);
        var ticket = (await resident.GetFromJsonAsync<JsonElement>($"/api/v1/events/{eventId}/ticket")).GetProperty("qrPayload").GetString()!;

        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync($"/admin/events/{eventId}");
        var payload = page.Locator("#qr-payload");
        await payload.WaitForAsync();
        await payload.FillAsync(ticket);
        await page.Locator("#check-in").ClickAsync();
        await Assertions.Expect(page.GetByText("签到成功")).ToBeVisibleAsync();

        await page.GetByText("活动结束，确认出勤").ClickAsync();
        await Assertions.Expect(page.GetByText("出勤 1 人")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("每人 20 分")).ToBeVisibleAsync();

        var view = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/events/{eventId}");
        Assert.Equal("completed", view.GetProperty("status").GetString());
    }
}
