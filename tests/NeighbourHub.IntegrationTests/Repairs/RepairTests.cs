using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

/// <summary>报事报修: the closed loop with its state machine, scope and races, over HTTP on MariaDB.</summary>
public sealed class RepairTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task<(HttpClient Resident, long RepairId, long AssigneeId)> SubmittedRepairAsync(string code, string category = "水电")
    {
        var (resident, _) = await VerifiedResidentAsync(code, Org.HouseholdsA1[0]);
        var admin = await App.AdminClientAsync("adminA");

        var categories = await Json(await resident.GetAsync($"/api/v1/repair-categories?estateId={Org.EstateA1}"));
        Assert.Equal(6, categories.GetArrayLength());
        var chosen = categories.EnumerateArray().Single(c => c.GetProperty("name").GetString() == category);
        var submitted = await resident.PostAsJsonAsync("/api/v1/repairs", new
        {
            estateId = Org.EstateA1,
            householdId = Org.HouseholdsA1[0],
            categoryId = chosen.GetProperty("id").GetInt64(),
            description = "卫生间水管漏水",
            location = "1栋1单元101",
            photoIds = Array.Empty<string>(),
        });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var body = await Json(submitted);
        Assert.Equal("submitted", body.GetProperty("status").GetString());
        var deadline = body.GetProperty("deadlineAt").GetDateTimeOffset();
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromHours(chosen.GetProperty("deadlineHours").GetInt32() - 1), TimeSpan.FromHours(chosen.GetProperty("deadlineHours").GetInt32()));

        var staff = await Json(await admin.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"));
        var firmStaff = staff.EnumerateArray().Single(s => s.GetProperty("role").GetString() == "firmStaff");
        return (resident, body.GetProperty("id").GetInt64(), firmStaff.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_report_retried_with_its_Idempotency_Key_is_filed_once_even_when_the_retries_race()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-repair-retry", Org.HouseholdsA1[0]);
        var categories = await Json(await resident.GetAsync($"/api/v1/repair-categories?estateId={Org.EstateA1}"));
        var categoryId = categories.EnumerateArray().First().GetProperty("id").GetInt64();
        var description = $"楼道灯不亮 {Guid.NewGuid():N}";

        async Task<HttpResponseMessage> SendAsync(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/repairs")
            {
                Content = JsonContent.Create(new { estateId = Org.EstateA1, householdId = Org.HouseholdsA1[0], categoryId, description }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return await resident.SendAsync(request);
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync("retry-1")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = await Task.WhenAll(answers.Select(async a => (await Json(a)).GetProperty("id").GetInt64()));
        Assert.Single(ids.Distinct());
        Assert.Equal(HttpStatusCode.Created, (await SendAsync("retry-2")).StatusCode); // a new key is a new report

        await using var db = App.SystemDb();
        Assert.Equal(2, await db.Repairs.CountAsync(r => r.Description == description));
    }

    [Fact]
    public async Task Report_dispatch_work_resolve_and_rate_with_a_timeline_of_every_step()
    {
        var (resident, id, firmStaffId) = await SubmittedRepairAsync("wx-rp-flow");
        var adminA = await App.AdminClientAsync("adminA");
        var firm = await App.AdminClientAsync("firmF");

        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = firmStaffId })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await adminA.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode); // not the assignee
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await resident.PostAsync($"/api/v1/repairs/{id}/cancel", null)).StatusCode); // work started
        Assert.Equal(HttpStatusCode.Conflict, (await resident.PostAsJsonAsync($"/api/v1/repairs/{id}/rating", new { stars = 5 })).StatusCode); // not resolved
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "更换阀门" })).StatusCode);

        // Reopen returns it to the same assignee; then it is resolved again and rated, which closes it.
        Assert.Equal(HttpStatusCode.OK, (await resident.PostAsJsonAsync($"/api/v1/repairs/{id}/reopen", new { reason = "又漏了" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "换了整段管" })).StatusCode);
        var rated = await Json(await resident.PostAsJsonAsync($"/api/v1/repairs/{id}/rating", new { stars = 4, comment = "第二次修好了" }));
        Assert.Equal("closed", rated.GetProperty("status").GetString());
        Assert.Equal(1, rated.GetProperty("reopenCount").GetInt32());

        var detail = await Json(await resident.GetAsync($"/api/v1/repairs/{id}"));
        var actions = detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(new[] { "submitted", "assigned", "started", "resolved", "reopened", "started", "resolved", "rated" }, actions);
        Assert.Equal(HttpStatusCode.Conflict, (await resident.PostAsJsonAsync($"/api/v1/repairs/{id}/reopen", new { reason = "x" })).StatusCode);

        await using var db = App.SystemDb();
        Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Key.StartsWith("repair.resolved:" + id + ":")));
    }

    [Fact]
    public async Task Two_staff_racing_on_one_repair_one_wins_and_urging_is_limited()
    {
        var (resident, id, firmStaffId) = await SubmittedRepairAsync("wx-rp-race");
        var adminA = await App.AdminClientAsync("adminA");
        var firm = await App.AdminClientAsync("firmF");
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = firmStaffId })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await resident.PostAsync($"/api/v1/repairs/{id}/urge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await resident.PostAsync($"/api/v1/repairs/{id}/urge", null)).StatusCode);

        var starts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)));
        Assert.Single(starts, s => s.StatusCode == HttpStatusCode.OK);
        Assert.All(starts.Where(s => s.StatusCode != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s.StatusCode));
        var problem = await Json(starts.First(s => s.StatusCode == HttpStatusCode.Conflict));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Foreign_staff_and_other_residents_get_404_and_bad_input_400()
    {
        var (resident, id, firmStaffId) = await SubmittedRepairAsync("wx-rp-private");
        var adminB = await App.AdminClientAsync("adminB");
        foreach (var call in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => adminB.GetAsync($"/api/v1/admin/repairs/{id}"),
                     () => adminB.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = firmStaffId }),
                     () => adminB.PostAsync($"/api/v1/admin/repairs/{id}/start", null),
                     () => adminB.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "x" }),
                     () => adminB.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await call()).StatusCode);
        }

        Assert.Equal(0, (await Json(await adminB.GetAsync("/api/v1/admin/repairs"))).GetProperty("total").GetInt64());
        var stranger = await App.ResidentClientAsync("wx-rp-stranger");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/repairs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/v1/repairs/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = 1, description = "x" })).StatusCode);

        var adminA = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = 999999 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.GetAsync("/api/v1/admin/repairs?status=done")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = 1, description = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await resident.PostAsync($"/api/v1/repairs/{id}/cancel", null)).StatusCode);
        var mine = await Json(await resident.GetAsync("/api/v1/repairs?status=cancelled"));
        Assert.Equal(id, Assert.Single(mine.EnumerateArray()).GetProperty("id").GetInt64());
    }
}
