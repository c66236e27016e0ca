using System.Net;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

/// <summary>The owner roster (业主档案): residents per flat with masked phones, and the audited reveal.</summary>
public sealed class RosterTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task The_roster_lists_each_flats_residents_with_masked_phones_and_a_reveal_is_audited()
    {
        var (_, owner) = await VerifiedResidentAsync("wx-roster-owner", Org.HouseholdsA1[0]);
        var tenant = await App.ResidentClientAsync("wx-roster-tenant");
        var pending = await ApplyAsync(tenant, Org.HouseholdsA1[0], relation: "tenant", realName: "李四");
        await using (var db = App.SystemDb())
        {
            (await db.Residents.SingleAsync(r => r.Id == owner)).PhoneNumber = "13812345678";
            await db.SaveChangesAsync();
        }

        var firm = await App.AdminClientAsync("firmF");
        var roster = await Json(await firm.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/roster?q=1-1-101"));
        var flat = Assert.Single(roster.GetProperty("items").EnumerateArray());
        Assert.Equal("1栋1单元101", flat.GetProperty("address").GetString());
        var residents = flat.GetProperty("residents").EnumerateArray().ToList();
        Assert.Equal(2, residents.Count);
        var ownerRow = residents.Single(r => r.GetProperty("relation").GetString() == "owner");
        Assert.Equal("张三", ownerRow.GetProperty("name").GetString());
        Assert.Equal("approved", ownerRow.GetProperty("status").GetString());
        Assert.Equal("138****5678", ownerRow.GetProperty("phoneMasked").GetString());
        Assert.Equal("pending", residents.Single(r => r.GetProperty("relation").GetString() == "tenant").GetProperty("status").GetString());
        Assert.DoesNotContain("13812345678", roster.GetRawText(), StringComparison.Ordinal);
        await using (var db = App.SystemDb())
        {
            // The console opens one flat's roster from a search result.
            var one = await Web.Features.Residents.ResidenceQueries.RosterAsync(db, Org.EstateA1, null, 1, 50, CancellationToken.None, householdId: Org.HouseholdsA1[0]);
            Assert.Equal(Org.HouseholdsA1[0], Assert.Single(one.Items).HouseholdId);
        }

        // The reveal answers the number and leaves who, whose and when in the audit log (never the number itself).
        var residenceId = ownerRow.GetProperty("residenceId").GetInt64();
        var reveal = await firm.PostAsync($"/api/v1/admin/residences/{residenceId}/phone", null);
        Assert.Equal(HttpStatusCode.OK, reveal.StatusCode);
        Assert.Equal("13812345678", (await Json(reveal)).GetProperty("phone").GetString());
        await using (var db = App.SystemDb())
        {
            var audit = await db.AuditLogs.SingleAsync(a => a.Action == "resident.phone-revealed");
            Assert.Equal("firmF", audit.ActorName);
            Assert.Equal("Resident", audit.EntityType);
            Assert.Equal(owner.ToString(System.Globalization.CultureInfo.InvariantCulture), audit.EntityId);
            Assert.Contains("1栋1单元101", audit.After, StringComparison.Ordinal);
            Assert.DoesNotContain("13812345678", audit.After, StringComparison.Ordinal);
            Assert.True(DateTimeOffset.UtcNow - audit.At < TimeSpan.FromMinutes(5));
        }

        // The committee reads the roster with names masked and may not reveal: 403, nothing audited.
        var committee = await App.AdminClientAsync("committeeA1");
        var theirs = await Json(await committee.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/roster?q=101"));
        Assert.Contains(theirs.GetProperty("items")[0].GetProperty("residents").EnumerateArray(), r => r.GetProperty("name").GetString() == "张*");
        Assert.Equal(HttpStatusCode.Forbidden, (await committee.PostAsync($"/api/v1/admin/residences/{residenceId}/phone", null)).StatusCode);

        // Another community's admin: not found, nothing audited.
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsync($"/api/v1/admin/residences/{residenceId}/phone", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/roster")).StatusCode);
        await using (var db = App.SystemDb())
        {
            Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == "resident.phone-revealed"));
        }

        // The reviewer sees what the applicant submitted: full name, relation, masked phone, flat, no invite code.
        var review = await Json(await firm.GetAsync($"/api/v1/admin/residences/{pending}"));
        Assert.Equal("李四", review.GetProperty("realName").GetString());
        Assert.Equal("tenant", review.GetProperty("relation").GetString());
        Assert.Equal("1栋1单元101", review.GetProperty("address").GetString());
        Assert.False(review.GetProperty("withInviteCode").GetBoolean());
    }

    [Fact]
    public async Task The_households_export_has_chinese_headers_and_name_and_masked_phones()
    {
        var (_, owner) = await VerifiedResidentAsync("wx-export", Org.HouseholdsA1[0]);
        await using (var db = App.SystemDb())
        {
            (await db.Residents.SingleAsync(r => r.Id == owner)).PhoneNumber = "13812345678";
            await db.SaveChangesAsync();
        }

        var firm = await App.AdminClientAsync("firmF");
        var response = await firm.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/households.xlsx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("甲一小区-房屋与住户.xlsx", response.Content.Headers.ContentDisposition?.FileNameStar);
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["楼栋", "单元", "房号", "建筑面积(m²)", "开发商持有", "已认证住户数", "住户（关系·状态·手机）"], rows[0].Keys.ToArray());
        Assert.Equal("张三（业主·已认证·138****5678）", rows[0]["住户（关系·状态·手机）"]?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await firm.GetAsync($"/api/v1/admin/estates/{Org.EstateB1}/households.xlsx")).StatusCode);
    }
}
