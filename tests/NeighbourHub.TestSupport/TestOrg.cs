using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.TestSupport;

/// <summary>
/// Two communities, so every test has a foreign scope at hand. Community A: estate A1 served by firm
/// F (and estate A2, self-managed, in grid GA2); community B: estate B1. Admins: platform, adminA
/// (community A), adminB (community B), firmF, gridA2, committeeA1.
/// </summary>
public sealed record TestOrg(
    long CommunityA, long CommunityB, long EstateA1, long EstateA2, long EstateB1, long FirmF, long GridA2,
    IReadOnlyList<long> HouseholdsA1, IReadOnlyList<long> HouseholdsA2, IReadOnlyList<long> HouseholdsB1)
{
    public const string Password = "Test@12345";

    public static async Task<TestOrg> SeedAsync(NeighbourHubAppFactory app)
    {
        await using var db = app.SystemDb();
        var street = new Street { Name = "测试街道" };
        db.Streets.Add(street);
        await db.SaveChangesAsync();
        var a = new Community { StreetId = street.Id, Name = "甲社区" };
        var b = new Community { StreetId = street.Id, Name = "乙社区" };
        db.Communities.AddRange(a, b);
        await db.SaveChangesAsync();
        var a1 = new Estate { CommunityId = a.Id, Name = "甲一小区", Address = "甲路1号" };
        var a2 = new Estate { CommunityId = a.Id, Name = "甲二小区", Address = "甲路2号" };
        var b1 = new Estate { CommunityId = b.Id, Name = "乙一小区", Address = "乙路1号" };
        db.Estates.AddRange(a1, a2, b1);
        await db.SaveChangesAsync();
        foreach (var e in new[] { a1, a2, b1 })
        {
            db.RepairCategories.AddRange(Web.Features.Repairs.RepairCategory.DefaultsFor(e.Id));
        }

        var firm = new PropertyFirm { Name = "测试物业" };
        db.PropertyFirms.Add(firm);
        await db.SaveChangesAsync();
        db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = a1.Id, PropertyFirmId = firm.Id, From = new DateOnly(2020, 1, 1) });
        // A firm that left estate B1 last year must not see it any more.
        db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = b1.Id, PropertyFirmId = firm.Id, From = new DateOnly(2018, 1, 1), To = new DateOnly(2019, 12, 31) });

        var households = new Dictionary<long, List<long>>();
        long gridBuilding = 0;
        foreach (var e in new[] { a1, a2, b1 })
        {
            var building = new Building { EstateId = e.Id, Name = "1栋" };
            db.Buildings.Add(building);
            await db.SaveChangesAsync();
            if (e == a2)
            {
                gridBuilding = building.Id;
            }

            var unit = new Unit { EstateId = e.Id, BuildingId = building.Id, Name = "1单元" };
            db.Units.Add(unit);
            await db.SaveChangesAsync();
            var rows = Enumerable.Range(1, 4).Select(n => new Household { EstateId = e.Id, BuildingId = building.Id, UnitId = unit.Id, Room = $"10{n}", AreaM2 = 80.5m + n }).ToList();
            db.Households.AddRange(rows);
            await db.SaveChangesAsync();
            households[e.Id] = rows.Select(h => h.Id).ToList();
        }

        var grid = new Grid { CommunityId = a.Id, Name = "甲二网格" };
        db.Grids.Add(grid);
        await db.SaveChangesAsync();
        db.GridBuildings.Add(new GridBuilding { GridId = grid.Id, BuildingId = gridBuilding });
        await db.SaveChangesAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
        await AddAdmin("platform", AdminRole.PlatformAdmin, null);
        await AddAdmin("adminA", AdminRole.CommunityAdmin, a.Id);
        await AddAdmin("adminB", AdminRole.CommunityAdmin, b.Id);
        await AddAdmin("firmF", AdminRole.FirmStaff, firm.Id);
        await AddAdmin("gridA2", AdminRole.GridWorker, grid.Id);
        await AddAdmin("committeeA1", AdminRole.CommitteeMember, a1.Id);

        return new TestOrg(a.Id, b.Id, a1.Id, a2.Id, b1.Id, firm.Id, grid.Id, households[a1.Id], households[a2.Id], households[b1.Id]);

        async Task AddAdmin(string name, AdminRole role, long? scopeId)
        {
            var user = new AdminUser { UserName = name, DisplayName = name, LockoutEnabled = true };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
            }

            db.RoleAssignments.Add(RoleAssignment.Create(user.Id, role, scopeId));
            await db.SaveChangesAsync();
        }
    }
}
