using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// Walks every admin endpoint that takes an id with an admin of the other community: each answers
/// 404 (never 403, which would confirm the id exists) and changes nothing.
/// </summary>
public sealed class ForeignScopeTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task Every_admin_endpoint_with_a_foreign_id_answers_404_and_changes_nothing()
    {
        var resident = await App.ResidentClientAsync("wx-foreign");
        var residenceInA = await ApplyAsync(resident, Org.HouseholdsA1[0]);
        var foreign = await App.AdminClientAsync("adminB");

        var calls = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("approve", () => foreign.PostAsync($"/api/v1/admin/residences/{residenceInA}/approve", null)),
            ("reject", () => foreign.PostAsJsonAsync($"/api/v1/admin/residences/{residenceInA}/reject", new { reason = "x" })),
            ("create invite", () => foreign.PostAsJsonAsync($"/api/v1/admin/households/{Org.HouseholdsA1[0]}/invite-codes", new { validDays = 3 })),
            ("list invites", () => foreign.GetAsync($"/api/v1/admin/households/{Org.HouseholdsA1[0]}/invite-codes")),
            ("households", () => foreign.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/households")),
            ("import", () => foreign.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", XlsxForm(Xlsx.Households(("9栋", "1单元", "101", "90"))))),
        };

        foreach (var (name, call) in calls)
        {
            var response = await call();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{name}: expected 404, got {(int)response.StatusCode}");
        }

        var estates = await Json(await foreign.GetAsync("/api/v1/admin/estates"));
        Assert.Equal([Org.EstateB1], estates.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray());

        await using var db = App.SystemDb();
        Assert.Equal(Web.Features.Residents.ResidenceStatus.Pending, (await db.Residences.SingleAsync(r => r.Id == residenceInA)).Status);
        Assert.Equal(0, await db.InviteCodes.CountAsync());
        Assert.False(await db.Buildings.AnyAsync(b => b.Name == "9栋"));
    }

    [Fact]
    public async Task A_resident_token_opens_no_admin_endpoint_and_an_admin_token_no_resident_endpoint()
    {
        var resident = await App.ResidentClientAsync("wx-nosy");
        Assert.Equal(HttpStatusCode.Unauthorized, (await resident.GetAsync("/api/v1/admin/residences")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await resident.GetAsync("/api/v1/admin/estates")).StatusCode);

        var admin = await App.AdminClientAsync("platform");
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/v1/me")).StatusCode);

        var anonymous = App.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/estates")).StatusCode);
    }

    [Fact]
    public async Task Roles_without_the_right_are_forbidden()
    {
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.Forbidden, (await committee.GetAsync("/api/v1/admin/residences")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await committee.GetAsync("/api/v1/admin/audit-log")).StatusCode);
        var community = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.Forbidden, (await community.GetAsync("/api/v1/admin/audit-log")).StatusCode);
        var platform = await App.AdminClientAsync("platform");
        Assert.Equal(HttpStatusCode.OK, (await platform.GetAsync("/api/v1/admin/audit-log")).StatusCode);
    }

    [Fact]
    public async Task Unknown_household_for_an_application_is_a_field_error()
    {
        var resident = await App.ResidentClientAsync("wx-lost");
        var response = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = 987654321, relation = "owner", realName = "某人" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).GetProperty("errors").TryGetProperty("householdId", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await resident.GetAsync("/api/v1/estates/987654321/households")).StatusCode);
    }

    internal static MultipartFormDataContent XlsxForm(byte[] xlsx)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(xlsx);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "file", "households.xlsx");
        return form;
    }
}
