using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The repair desk as the office uses it (issue 14): the committee only reads, a grid worker sees their grid's buildings,
/// staff take reports down for residents, timelines name people, and the board exports to Excel.
/// </summary>
public sealed class RepairDeskTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task<long> CategoryAsync(long estateId, string name)
    {
        await using var db = App.SystemDb();
        return await db.RepairCategories.Where(c => c.EstateId == estateId && c.Name == name).Select(c => c.Id).SingleAsync();
    }

    private async Task<JsonElement> StaffReportAsync(HttpClient staff, long estateId, long? householdId, string category, string description,
        string source = "phone", string name = "刘桂兰", string phone = "13607721234")
    {
        var response = await staff.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId,
            householdId,
            categoryId = await CategoryAsync(estateId, category),
            description,
            location = "卫生间",
            reporterName = name,
            contactPhone = phone,
            source,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await Json(response);
    }

    [Fact]
    public async Task The_committee_reads_repairs_but_every_step_on_them_is_403_in_Chinese_and_changes_nothing()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var committee = await App.AdminClientAsync("committeeA1");
        var repair = (await StaffReportAsync(adminA, Org.EstateA1, Org.HouseholdsA1[0], "水电", "厨房水龙头漏水")).GetProperty("id").GetInt64();
        var staff = await Json(await adminA.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"));
        var firmStaff = staff.EnumerateArray().First(s => s.GetProperty("role").GetString() == "firmStaff").GetProperty("id").GetInt64();

        // Reading is the committee's right: the list and the repair itself.
        Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync($"/api/v1/admin/repairs?estateId={Org.EstateA1}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync($"/api/v1/admin/repairs/{repair}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync($"/api/v1/admin/repairs/export?estateId={Org.EstateA1}")).StatusCode);

        var steps = new (string Name, Func<long, Task<HttpResponseMessage>> Call)[]
        {
            ("assign", id => committee.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = firmStaff })),
            ("grab", id => committee.PostAsync($"/api/v1/admin/repairs/{id}/grab", null)),
            ("start", id => committee.PostAsync($"/api/v1/admin/repairs/{id}/start", null)),
            ("resolve", id => committee.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/resolve", new { note = "业委会办结" })),
        };
        foreach (var (name, call) in steps)
        {
            foreach (var id in new[] { repair, 987654321L })
            {
                using var answer = await call(id);
                Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"{name} on {id}: {(int)answer.StatusCode}");
                var problem = await Json(answer);
                Assert.Contains("业委会", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        using (var create = await committee.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId = Org.EstateA1,
            householdId = Org.HouseholdsA1[1],
            categoryId = await CategoryAsync(Org.EstateA1, "水电"),
            description = "业委会代报",
            reporterName = "王五",
            contactPhone = "13800000000",
            source = "counter",
        }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        }

        await using var db = App.SystemDb();
        var row = await db.Repairs.SingleAsync(r => r.Id == repair);
        Assert.Equal(RepairStatus.Submitted, row.Status);
        Assert.Null(row.AssigneeId);
        Assert.Equal(1, await db.Repairs.CountAsync());
        Assert.Equal(1, await db.RepairEvents.CountAsync(e => e.RepairId == repair));
    }

    [Fact]
    public async Task A_grid_worker_sees_the_flats_residents_and_repairs_of_their_grids_buildings_only_and_the_estates_public_areas()
    {
        // Estate A2 gets a second building outside grid GA2, with a flat and a verified resident.
        long otherFlat;
        await using (var db = App.SystemDb())
        {
            var building = new Building { EstateId = Org.EstateA2, Name = "2栋" };
            db.Buildings.Add(building);
            await db.SaveChangesAsync();
            var unit = new Unit { EstateId = Org.EstateA2, BuildingId = building.Id, Name = "1单元" };
            db.Units.Add(unit);
            await db.SaveChangesAsync();
            var flat = new Household { EstateId = Org.EstateA2, BuildingId = building.Id, UnitId = unit.Id, Room = "201", AreaM2 = 90m };
            db.Households.Add(flat);
            await db.SaveChangesAsync();
            otherFlat = flat.Id;
        }

        await VerifiedResidentAsync("wx-desk-grid-in", Org.HouseholdsA2[0]);
        var outsider = await App.ResidentClientAsync("wx-desk-grid-out");
        var outsiderResidence = await ApplyAsync(outsider, otherFlat, realName: "楼外人");
        var insider = await App.ResidentClientAsync("wx-desk-grid-pending");
        var insiderResidence = await ApplyAsync(insider, Org.HouseholdsA2[1], realName: "楼内人");

        var adminA = await App.AdminClientAsync("adminA");
        var inGrid = (await StaffReportAsync(adminA, Org.EstateA2, Org.HouseholdsA2[0], "水电", "网格内的漏水")).GetProperty("id").GetInt64();
        var outOfGrid = (await StaffReportAsync(adminA, Org.EstateA2, otherFlat, "水电", "网格外的漏水")).GetProperty("id").GetInt64();
        var publicArea = (await StaffReportAsync(adminA, Org.EstateA2, null, "环境卫生", "垃圾投放点满溢")).GetProperty("id").GetInt64();

        var grid = await App.AdminClientAsync("gridA2");
        var board = await Json(await grid.GetAsync($"/api/v1/admin/repairs?estateId={Org.EstateA2}"));
        var ids = board.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(inGrid, ids);
        Assert.Contains(publicArea, ids);
        Assert.DoesNotContain(outOfGrid, ids);
        Assert.Equal(HttpStatusCode.OK, (await grid.GetAsync($"/api/v1/admin/repairs/{inGrid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await grid.GetAsync($"/api/v1/admin/repairs/{outOfGrid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await grid.PostAsync($"/api/v1/admin/repairs/{outOfGrid}/grab", null)).StatusCode);

        // Flats: the grid's building only; another building's flat of the same estate is not found.
        var flats = await Json(await grid.GetAsync($"/api/v1/admin/estates/{Org.EstateA2}/households?pageSize=100"));
        var flatIds = flats.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(Org.HouseholdsA2.Order(), flatIds.Order());
        Assert.Equal(HttpStatusCode.NotFound, (await grid.PostAsJsonAsync($"/api/v1/admin/households/{otherFlat}/invite-codes", new { relation = "owner", validDays = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await grid.PostAsJsonAsync($"/api/v1/admin/households/{Org.HouseholdsA2[2]}/invite-codes", new { relation = "owner", validDays = 3 })).StatusCode);
        using (var taken = await grid.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId = Org.EstateA2,
            householdId = otherFlat,
            categoryId = await CategoryAsync(Org.EstateA2, "水电"),
            description = "巡查发现",
            reporterName = "楼外人",
            contactPhone = "13800000000",
            source = "grid_patrol",
        }))
        {
            Assert.Equal(HttpStatusCode.NotFound, taken.StatusCode);
        }

        // Residents: applications of the grid's flats only.
        var applications = (await Json(await grid.GetAsync("/api/v1/admin/residences?status=pending&pageSize=100"))).GetProperty("items").EnumerateArray()
            .Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Contains(insiderResidence, applications);
        Assert.DoesNotContain(outsiderResidence, applications);
        Assert.Equal(HttpStatusCode.NotFound, (await grid.PostAsync($"/api/v1/admin/residences/{outsiderResidence}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await grid.PostAsync($"/api/v1/admin/residences/{insiderResidence}/approve", null)).StatusCode);

        // The estate's own things stay estate-wide for the grid worker: its directory of buildings, its repair categories.
        Assert.Equal(HttpStatusCode.OK, (await grid.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA2}")).StatusCode);

        // The community admin still sees the whole estate.
        var all = await Json(await adminA.GetAsync($"/api/v1/admin/repairs?estateId={Org.EstateA2}"));
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        await using var check = App.SystemDb();
        Assert.Equal(1, await check.InviteCodes.CountAsync());
    }

    [Fact]
    public async Task Staff_take_a_report_down_by_phone_with_source_and_contact_which_only_the_assignee_and_the_recorder_see_in_full()
    {
        var firm = await App.AdminClientAsync("firmF");
        var adminA = await App.AdminClientAsync("adminA");
        var created = await StaffReportAsync(firm, Org.EstateA1, Org.HouseholdsA1[2], "水电", "马桶水箱一直流水");
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("submitted", created.GetProperty("status").GetString());
        Assert.Equal("phone", created.GetProperty("source").GetString());
        Assert.Equal("1栋1单元103", created.GetProperty("flat").GetString());
        Assert.Equal("刘桂兰", created.GetProperty("reporterName").GetString());
        Assert.Equal("13607721234", created.GetProperty("contactPhone").GetString()); // the recorder

        var seen = await Json(await adminA.GetAsync($"/api/v1/admin/repairs/{id}"));
        Assert.Equal("刘**", seen.GetProperty("reporterName").GetString());
        Assert.Equal("136****1234", seen.GetProperty("contactPhone").GetString());

        // Dispatched to the community admin, who now sees the number in full.
        var me = await Json(await adminA.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"));
        var adminAId = me.EnumerateArray().First(s => s.GetProperty("role").GetString() == "communityAdmin").GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = adminAId })).StatusCode);
        Assert.Equal("13607721234", (await Json(await adminA.GetAsync($"/api/v1/admin/repairs/{id}"))).GetProperty("contactPhone").GetString());

        await using var db = App.SystemDb();
        var row = await db.Repairs.SingleAsync(r => r.Id == id);
        Assert.Equal(RepairSource.Phone, row.Source);
        Assert.Equal("13607721234", row.ContactPhone);
        Assert.Equal(Org.HouseholdsA1[2], row.HouseholdId);
        Assert.Null(row.ReporterId);
        Assert.Equal(row.CreatedAt.AddHours(24), row.DeadlineAt); // 水电's deadline, as for a resident's own report
        var submitted = await db.RepairEvents.Where(e => e.RepairId == id).OrderBy(e => e.Id).FirstAsync();
        Assert.Equal("电话报修，报修人 刘**", submitted.Note);

        // Bad input: nothing is written and every field is named in Chinese.
        using var bad = await firm.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId = Org.EstateA1,
            categoryId = await CategoryAsync(Org.EstateA1, "水电"),
            description = "",
            reporterName = "",
            contactPhone = "12ab",
            source = "fax",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await Json(bad)).GetProperty("errors");
        foreach (var field in new[] { "description", "reporterName", "contactPhone", "source" })
        {
            Assert.True(errors.TryGetProperty(field, out var messages), field);
            Assert.Matches("[\u4e00-\u9fff]", messages[0].GetString());
        }

        // An in-flat category needs the flat.
        using var noFlat = await StaffReportRawAsync(firm, Org.EstateA1, null, "水电");
        Assert.Equal(HttpStatusCode.BadRequest, noFlat.StatusCode);
        Assert.Equal(1, await db.Repairs.CountAsync());
    }

    private async Task<HttpResponseMessage> StaffReportRawAsync(HttpClient staff, long estateId, long? householdId, string category) =>
        await staff.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId,
            householdId,
            categoryId = await CategoryAsync(estateId, category),
            description = "无房屋的户内报修",
            reporterName = "赵六",
            contactPhone = "13800000000",
            source = "counter",
        });

    [Fact]
    public async Task Timelines_name_residents_staff_and_the_system_never_their_keys()
    {
        await using (var db = App.SystemDb())
        {
            foreach (var (account, shown) in new[] { ("adminA", "甲社区 周主任"), ("firmF", "测试物业 孙师傅") })
            {
                var user = await db.Users.SingleAsync(u => u.UserName == account);
                user.DisplayName = shown;
            }

            await db.SaveChangesAsync();
        }

        var (resident, _) = await VerifiedResidentAsync("wx-desk-names", Org.HouseholdsA1[0]); // approved as owner 张三
        var submitted = await resident.PostAsJsonAsync("/api/v1/repairs", new
        {
            estateId = Org.EstateA1,
            householdId = Org.HouseholdsA1[0],
            categoryId = await CategoryAsync(Org.EstateA1, "水电"),
            description = "厨房水管漏水",
            location = "厨房",
        });
        var id = (await Json(submitted)).GetProperty("id").GetInt64();
        var adminA = await App.AdminClientAsync("adminA");
        var firm = await App.AdminClientAsync("firmF");
        var staff = await Json(await adminA.GetAsync($"/api/v1/admin/staff?estateId={Org.EstateA1}"));
        var firmId = staff.EnumerateArray().First(s => s.GetProperty("role").GetString() == "firmStaff").GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{id}/assign", new { assigneeId = firmId })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsync($"/api/v1/admin/repairs/{id}/start", null)).StatusCode);

        foreach (var client in new[] { adminA, resident })
        {
            var path = client == resident ? $"/api/v1/repairs/{id}" : $"/api/v1/admin/repairs/{id}";
            var actors = (await Json(await client.GetAsync(path))).GetProperty("timeline").EnumerateArray()
                .Select(e => e.GetProperty("actor").GetString()!).ToArray();
            Assert.Equal(new[] { "业主 张*", "甲社区 周主任", "测试物业 孙师傅" }, actors);
        }

        // The stored keys stay as they were; escalation by the system reads as such.
        await using var check = App.SystemDb();
        Assert.StartsWith("resident:", (await check.RepairEvents.Where(e => e.RepairId == id).OrderBy(e => e.Id).FirstAsync()).Actor, StringComparison.Ordinal);
        Assert.Equal("系统（超时升级）", RepairQueries.ShowActor("escalated", "system", new Dictionary<string, string>()));
        Assert.Equal("外部平台（区 12345 平台）", RepairQueries.ShowActor("submitted", "open311:区 12345 平台", new Dictionary<string, string>()));
    }

    [Fact]
    public async Task The_board_exports_to_Excel_with_Chinese_headers_and_file_name_filtered_as_the_board_is()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var open = (await StaffReportAsync(adminA, Org.EstateA1, Org.HouseholdsA1[0], "水电", "导出用的漏水")).GetProperty("id").GetInt64();
        var other = (await StaffReportAsync(adminA, Org.EstateA2, null, "环境卫生", "另一个小区的垃圾")).GetProperty("id").GetInt64();
        var b = (await StaffReportAsync(await App.AdminClientAsync("adminB"), Org.EstateB1, null, "环境卫生", "乙社区的垃圾")).GetProperty("id").GetInt64();

        using var response = await adminA.GetAsync($"/api/v1/admin/repairs/export?estateId={Org.EstateA1}&filter=unassigned");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("报事报修_", response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        var rows = (await Read(response)).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(open.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(row["单号"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("甲一小区", row["小区"]);
        Assert.Equal("1栋1单元101", row["房屋"]);
        Assert.Equal("水电", row["类别"]);
        Assert.Equal("导出用的漏水", row["描述"]);
        Assert.Equal("电话报修", row["来源"]);
        Assert.Equal("刘**", row["报修人"]);
        Assert.Equal("136****1234", row["联系电话"]); // masked in a file, even for whoever took it down
        Assert.Equal("待派单", row["状态"]);

        // Unfiltered, the community admin's export holds both estates of community A and nothing of B.
        using var all = await adminA.GetAsync("/api/v1/admin/repairs/export");
        var numbers = (await Read(all)).Select(r => Convert.ToInt64(r["单号"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(new[] { open, other }.Order(), numbers.Order());
        Assert.DoesNotContain(b, numbers);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.GetAsync("/api/v1/admin/repairs/export?filter=late")).StatusCode);

        static async Task<IEnumerable<IDictionary<string, object>>> Read(HttpResponseMessage response)
        {
            using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
            return stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        }
    }
}
