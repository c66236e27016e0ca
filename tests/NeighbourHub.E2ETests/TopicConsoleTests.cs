using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace NeighbourHub.E2ETests;

/// <summary>
/// 议事 in the console: a resident raises a topic through the API; firm staff read it but hold no 分流 button; the
/// committee sorts it as a minor matter (小事) and records the 议事会's decision; the resident reads both on the
/// topic's public timeline.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TopicConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_committee_sorts_a_topic_and_records_its_decision_in_the_console()
    {
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-topic-dance" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residence = (await (await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[2], relation = "owner", realName = "林晓燕" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using (var office = await fixture.AdminApiAsync("adminA"))
        {
            Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        }

        var raised = await resident.PostAsJsonAsync("/api/v1/topics", new { estateId = fixture.Org.EstateA1, title = "广场舞音量太大", body = "每晚九点后音乐仍很响，建议限定时段。" });
        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);
        var id = (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // Firm staff see the topic on the board but may not sort it.
        var firm = await fixture.SignInAsync("firmF");
        await firm.GotoAsync($"/admin/topics?estate={fixture.Org.EstateA1}");
        await firm.GetByTestId($"topic-{id}-open").ClickAsync();
        await Assertions.Expect(firm.GetByTestId("topic-detail")).ToBeVisibleAsync();
        Assert.Equal(0, await firm.GetByTestId("topic-classify").CountAsync());

        // The committee sorts it as 小事, on a phone-sized screen.
        var committee = await fixture.SignInAsync("committeeA1");
        await committee.SetViewportSizeAsync(390, 844);
        await committee.GotoAsync($"/admin/topics/{id}");
        await committee.GetByTestId("topic-classify").ClickAsync();
        await committee.GetByText("小事：业委会或议事会协商决定").ClickAsync();
        await committee.GetByLabel("分流说明（公开）").FillAsync("涉及居民作息，由议事会协商");
        await committee.GetByTestId("classify-save").ClickAsync();
        await Assertions.Expect(committee.GetByText("已分流为小事：协商后请记录决定。")).ToBeVisibleAsync();
        await Assertions.Expect(committee.GetByTestId("topic-status")).ToHaveTextAsync("已受理");

        await committee.GetByTestId("topic-decide").ClickAsync();
        await committee.GetByLabel("决定内容（公开）").FillAsync("广场舞限 19:00–21:00，音量不超过 60 分贝");
        await committee.GetByTestId("act-save").ClickAsync();
        await Assertions.Expect(committee.GetByText("已记录决定，并通知提出人。")).ToBeVisibleAsync();
        await Assertions.Expect(committee.GetByTestId("topic-outcome")).ToContainTextAsync("19:00–21:00");

        var topic = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/topics/{id}");
        Assert.Equal("minor", topic.GetProperty("kind").GetString());
        Assert.Equal("decided", topic.GetProperty("status").GetString());
        var timeline = topic.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["raised", "classified", "decided"], timeline.Select(s => s.GetProperty("action").GetString()!).ToArray());
        Assert.Equal("committeeA1（业委会）", timeline[1].GetProperty("actor").GetString());
    }
}
