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
    public async Task A_good_roll_creates_buildings_units_and_households_and_updates_areas_once_confirmed()
    {
        var admin = await App.AdminClientAsync("adminA");
        var xlsx = Xlsx.Households(("2栋", "1单元", "101", "88.5"), ("2栋", "2单元", "101", "120"), ("1栋", "1单元", "101", "99.99"), ("1栋", "1单元", "102", "82.5"));

        // It would change a flat on record (81.50 → 99.99): a preview, nothing written.
        var preview = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(xlsx));
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var previewed = await Json(preview);
        Assert.False(previewed.GetProperty("imported").GetBoolean());
        Assert.True(previewed.GetProperty("needsConfirmation").GetBoolean());
        Assert.Equal(1, previewed.GetProperty("unchanged").GetInt32());
        var change = Assert.Single(previewed.GetProperty("changes").EnumerateArray());
        Assert.Equal("1栋1单元101", change.GetProperty("flat").GetString());
        Assert.Equal(81.5m, change.GetProperty("oldAreaM2").GetDecimal());
        Assert.Equal(99.99m, change.GetProperty("newAreaM2").GetDecimal());
        Assert.Equal(4, change.GetProperty("row").GetInt32());
        await using (var before = App.SystemDb())
        {
            Assert.Equal(81.5m, (await before.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).AreaM2);
            Assert.False(await before.Buildings.AnyAsync(b => b.EstateId == Org.EstateA1 && b.Name == "2栋"));
        }

        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import?confirm=true", ForeignScopeTests.XlsxForm(xlsx));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json(response);
        Assert.True(result.GetProperty("imported").GetBoolean());
        Assert.Equal(1, result.GetProperty("unchanged").GetInt32());
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
        var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import?confirm=true", ForeignScopeTests.XlsxForm(good));
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
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import?confirm=true", ForeignScopeTests.XlsxForm(clear))).StatusCode);
        await using (var db = App.SystemDb())
        {
            Assert.True((await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).HeldByDeveloper);
            Assert.False(await db.Households.AnyAsync(h => h.EstateId == Org.EstateA1 && h.HeldByDeveloper && db.Buildings.Any(b => b.Id == h.BuildingId && b.Name == "3栋")));
        }
    }

    [Fact]
    public async Task The_template_uploaded_unchanged_changes_nothing_and_has_its_example_on_a_separate_sheet()
    {
        var admin = await App.AdminClientAsync("adminA");
        var template = await (await admin.GetAsync("/api/v1/admin/households/import-template")).Content.ReadAsByteArrayAsync();
        using (var stream = new MemoryStream(template))
        {
            Assert.Equal(["房屋名册", "说明"], MiniExcelLibs.MiniExcel.GetSheetNames(stream));
            stream.Position = 0;
            var headers = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: false, sheetName: "房屋名册").Cast<IDictionary<string, object?>>().ToList();
            var header = Assert.Single(headers); // the headers and not one row under them
            Assert.Equal(["楼栋", "单元", "房号", "建筑面积", "开发商持有"], header.Values.Select(v => v?.ToString() ?? "").ToArray());
            stream.Position = 0;
            Assert.Contains(MiniExcelLibs.MiniExcel.Query(stream, sheetName: "说明").Cast<IDictionary<string, object?>>(), r => r.Values.Any(v => v?.ToString()?.Contains("89.50", StringComparison.Ordinal) == true));
        }

        await using (var db = App.SystemDb())
        {
            var before = await db.Households.Where(h => h.EstateId == Org.EstateA1).Select(h => new { h.Id, h.AreaM2 }).ToListAsync();
            var response = await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import?confirm=true", ForeignScopeTests.XlsxForm(template));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("没有数据", (await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            var after = await db.Households.AsNoTracking().Where(h => h.EstateId == Org.EstateA1).Select(h => new { h.Id, h.AreaM2 }).ToListAsync();
            Assert.Equal(before, after);
        }

        // The old template's two example rows (1栋1单元101 89.50, 102 120.00) no longer overwrite real flats unseen.
        var old = Xlsx.HouseholdsHeld(("1栋", "1单元", "101", "89.50", "否"), ("1栋", "1单元", "102", "120.00", "是"));
        var preview = await Json(await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(old)));
        Assert.True(preview.GetProperty("needsConfirmation").GetBoolean());
        Assert.Equal(2, preview.GetProperty("changes").GetArrayLength());
        await using (var db = App.SystemDb())
        {
            Assert.Equal(81.5m, (await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[0])).AreaM2);
            Assert.Equal(82.5m, (await db.Households.SingleAsync(h => h.Id == Org.HouseholdsA1[1])).AreaM2);
        }

        // A roll identical to the record changes nothing and says so, without asking.
        var same = Xlsx.Households(("1栋", "1单元", "101", "81.5"), ("1栋", "1单元", "102", "82.50"));
        var unchanged = await Json(await admin.PostAsync($"/api/v1/admin/estates/{Org.EstateA1}/households/import", ForeignScopeTests.XlsxForm(same)));
        Assert.True(unchanged.GetProperty("imported").GetBoolean());
        Assert.Equal(0, unchanged.GetProperty("updated").GetInt32());
        Assert.Equal(2, unchanged.GetProperty("unchanged").GetInt32());
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
        Assert.Contains("无法读取这个 .xlsx 文件", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
