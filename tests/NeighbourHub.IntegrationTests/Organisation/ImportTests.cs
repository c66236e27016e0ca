using System.Net;
using Microsoft.EntityFrameworkCore;

namespace NeighbourHub.IntegrationTests;

public sealed class ImportTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_roll_with_one_bad_row_imports_nothing_and_says_which_row()
    {
        var admin = await App.AdminClientAsync("adminA");
        var xlsx = Xlsx.Households(("2栋", "1单元", "101", "88.5"), ("2栋", "1单元", "102", "-3"), ("2栋", "1单元", "101", "90"), ("", "1单元", "103", "70"));
        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(xlsx));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Json(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("row3.建筑面积", out _));
        Assert.True(errors.TryGetProperty("row4.房号", out _)); // duplicate of row 2
        Assert.True(errors.TryGetProperty("row5.楼栋", out _));

        await using var db = App.SystemDb();
        Assert.False(await db.Buildings.AnyAsync(b => b.EstateId == Org.EstateA1 && b.Name == "2栋"));
    }

    [Fact]
    public async Task A_good_roll_creates_buildings_units_and_households_and_updates_areas()
    {
        var admin = await App.AdminClientAsync("adminA");
        var xlsx = Xlsx.Households(("2栋", "1单元", "101", "88.5"), ("2栋", "2单元", "101", "120"), ("1栋", "1单元", "101", "99.99"));
        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(xlsx));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json(response);
        Assert.Equal(2, result.GetProperty("created").GetInt32());
        Assert.Equal(1, result.GetProperty("updated").GetInt32());

        await using var db = App.SystemDb();
        Assert.Equal(2, await db.Units.CountAsync(u => u.EstateId == Org.EstateA1 && db.Buildings.Any(b => b.Id == u.BuildingId && b.Name == "2栋")));
        Assert.Equal(99.99m, (await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).AreaM2);
        Assert.True(await db.AuditLogs.AnyAsync(a => a.EntityType == "Household" && a.Action == "added" && a.ActorName == "adminA"));

        var page = await Json(await admin.GetAsync($"/api/v1/admin/estates/{Org.EstateA1}/households?pageSize=100"));
        Assert.Equal(6, page.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task The_developer_held_column_sets_the_flag_keeps_it_when_empty_and_a_bad_value_imports_nothing()
    {
        var admin = await App.AdminClientAsync("adminA");
        var bad = Xlsx.HouseholdsHeld(("3栋", "1单元", "101", "90", "是"), ("1栋", "1单元", "101", "81.5", "未售"));
        var refused = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(bad));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await Json(refused)).GetProperty("errors").TryGetProperty("row3.开发商持有", out _));
        await using (var db = App.SystemDb())
        {
            Assert.False(await db.Buildings.AnyAsync(b => b.EstateId == Org.EstateA1 && b.Name == "3栋"));
        }

        var good = Xlsx.HouseholdsHeld(("3栋", "1单元", "101", "90", "是"), ("1栋", "1单元", "101", "81.5", "是"), ("1栋", "1单元", "102", "82.5", ""));
        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(good));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await Json(response)).GetProperty("updated").GetInt32());
        await using (var db = App.SystemDb())
        {
            Assert.True((await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).HeldByDeveloper);
            Assert.False((await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[1])).HeldByDeveloper);
            Assert.True(await db.Households.AnyAsync(h => h.EstateId == Org.EstateA1 && h.Room == "101" && h.HeldByDeveloper && db.Buildings.Any(b => b.Id == h.BuildingId && b.Name == "3栋")));
        }

        // Empty keeps the flag; 否 clears it.
        var clear = Xlsx.HouseholdsHeld(("1栋", "1单元", "101", "81.5", ""), ("3栋", "1单元", "101", "90", "否"));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(clear))).StatusCode);
        await using (var db = App.SystemDb())
        {
            Assert.True((await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).HeldByDeveloper);
            Assert.False(await db.Households.AnyAsync(h => h.EstateId == Org.EstateA1 && h.HeldByDeveloper && db.Buildings.Any(b => b.Id == h.BuildingId && b.Name == "3栋")));
        }
    }

    [Fact]
    public async Task Template_download_and_non_excel_upload()
    {
        var admin = await App.AdminClientAsync("adminA");
        var template = await admin.GetAsync("/api/v1/admin/households/import-template");
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        var bytes = await template.Content.ReadAsByteArrayAsync();
        Assert.Equal((byte)'P', bytes[0]); // a zip container, as every .xlsx

        var garbage = new MultipartFormDataContent { { new ByteArrayContent("not a spreadsheet"u8.ToArray()), "file", "x.xlsx" } };
        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
