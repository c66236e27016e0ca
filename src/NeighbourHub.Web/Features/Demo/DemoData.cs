using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>Configuration section <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>Seed the demo estate when the database is empty. On by default only in the embedded default (SQLite).</summary>
    public bool? Seed { get; set; }

    /// <summary>Password of every demo admin account.</summary>
    public string Password { get; set; } = "Demo@12345";
}

/// <summary>
/// A street, a community, two estates (one served by a firm, one self-managed as in the seeds'
/// 三无小区), six buildings, 300 households with realistic areas, two grids, the five demo admin
/// accounts and a few residents in every application state. Runs only on an empty database.
/// </summary>
public sealed class DemoData(IDbContextFactory<NeighbourHubDbContext> contexts, IServiceProvider services, TimeProvider clock, ILogger<DemoData> log)
{
    public async Task SeedAsync(string password, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        if (await db.Streets.AnyAsync(ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var street = new Street { Name = "城中街道", District = "柳州市城中区" };
        db.Streets.Add(street);
        await db.SaveChangesAsync(ct);
        var community = new Community { StreetId = street.Id, Name = "河东社区" };
        db.Communities.Add(community);
        await db.SaveChangesAsync(ct);

        var sunshine = new Estate { CommunityId = community.Id, Name = "阳光花园", Address = "城中区河东路88号" };
        var oldQuarters = new Estate { CommunityId = community.Id, Name = "老机关宿舍", Address = "城中区文惠路12号" };
        db.Estates.AddRange(sunshine, oldQuarters);
        var firm = new PropertyFirm { Name = "安居物业服务有限公司", ContactPhone = "07722880000" };
        db.PropertyFirms.Add(firm);
        await db.SaveChangesAsync(ct);
        db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = sunshine.Id, PropertyFirmId = firm.Id, From = new DateOnly(2021, 7, 1) });

        // 阳光花园: 4 buildings × 2 units × 11 floors × 3 flats = 264; 老机关宿舍: 2 × 1 × 6 × 3 = 36.
        var random = new Random(20261123);
        var buildings = new List<Building>();
        buildings.AddRange(await AddBuildingsAsync(db, sunshine, buildingCount: 4, unitsPerBuilding: 2, floors: 11, random, [89.5m, 105.8m, 128.3m], ct));
        buildings.AddRange(await AddBuildingsAsync(db, oldQuarters, buildingCount: 2, unitsPerBuilding: 1, floors: 6, random, [62.4m, 71.9m, 58.6m], ct));

        var grid1 = new Grid { CommunityId = community.Id, Name = "河东第一网格" };
        var grid2 = new Grid { CommunityId = community.Id, Name = "河东第二网格" };
        db.Grids.AddRange(grid1, grid2);
        await db.SaveChangesAsync(ct);
        db.GridBuildings.AddRange(buildings.Take(2).Select(b => new GridBuilding { GridId = grid1.Id, BuildingId = b.Id }));
        db.GridBuildings.AddRange(buildings.Skip(2).Select(b => new GridBuilding { GridId = grid2.Id, BuildingId = b.Id }));
        await db.SaveChangesAsync(ct);

        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
            await AddAdminAsync(db, users, "admin", "平台管理员", password, AdminRole.PlatformAdmin, null);
            await AddAdminAsync(db, users, "community", "河东社区 李主任", password, AdminRole.CommunityAdmin, community.Id);
            await AddAdminAsync(db, users, "firm", "安居物业 王经理", password, AdminRole.FirmStaff, firm.Id);
            await AddAdminAsync(db, users, "grid", "网格员 陈小梅", password, AdminRole.GridWorker, grid1.Id);
            await AddAdminAsync(db, users, "committee", "阳光花园业委会 赵主任", password, AdminRole.CommitteeMember, sunshine.Id);
        }

        var households = await db.Households.OrderBy(h => h.Id).ToListAsync(ct);
        var zhang = new Resident { OpenId = "dev-zhang", Nickname = "张阿姨", PhoneNumber = "13812341234", CreatedAt = now, LastLoginAt = now };
        var li = new Resident { OpenId = "dev-li", Nickname = "小李", PhoneNumber = "13912345678", CreatedAt = now, LastLoginAt = now };
        var wang = new Resident { OpenId = "dev-wang", Nickname = "王师傅", PhoneNumber = "13700001111", CreatedAt = now, LastLoginAt = now, IsVolunteer = true };
        var liu = new Resident { OpenId = "dev-liu", Nickname = "刘叔", CreatedAt = now, LastLoginAt = now };
        db.Residents.AddRange(zhang, li, wang, liu);
        await db.SaveChangesAsync(ct);

        var approvedZhang = Residence.Apply(zhang.Id, households[0].Id, households[0].EstateId, ResidenceRelation.Owner, "张秀英", now.AddDays(-30));
        approvedZhang.Approve(null, now.AddDays(-29));
        var approvedWang = Residence.Apply(wang.Id, households[40].Id, households[40].EstateId, ResidenceRelation.Tenant, "王建国", now.AddDays(-20));
        approvedWang.Approve(null, now.AddDays(-19));
        var pendingLi = Residence.Apply(li.Id, households[5].Id, households[5].EstateId, ResidenceRelation.Owner, "李明", now.AddHours(-3));
        var pendingLiu = Residence.Apply(liu.Id, households[^3].Id, households[^3].EstateId, ResidenceRelation.Owner, "刘德福", now.AddHours(-1));
        db.Residences.AddRange(approvedZhang, approvedWang, pendingLi, pendingLiu);
        await db.SaveChangesAsync(ct);
        log.LogInformation("Demo data seeded: {Households} households, admin accounts admin/community/firm/grid/committee", households.Count);
    }

    private static async Task<List<Building>> AddBuildingsAsync(NeighbourHubDbContext db, Estate estate, int buildingCount, int unitsPerBuilding,
        int floors, Random random, decimal[] flatAreas, CancellationToken ct)
    {
        var buildings = Enumerable.Range(1, buildingCount).Select(n => new Building { EstateId = estate.Id, Name = $"{n}栋" }).ToList();
        db.Buildings.AddRange(buildings);
        await db.SaveChangesAsync(ct);
        foreach (var b in buildings)
        {
            var units = Enumerable.Range(1, unitsPerBuilding).Select(n => new Unit { EstateId = estate.Id, BuildingId = b.Id, Name = $"{n}单元" }).ToList();
            db.Units.AddRange(units);
            await db.SaveChangesAsync(ct);
            foreach (var u in units)
            {
                for (var floor = 1; floor <= floors; floor++)
                {
                    for (var flat = 1; flat <= flatAreas.Length; flat++)
                    {
                        // Same plan on every floor, with the small variations a survey finds.
                        var area = flatAreas[flat - 1] + (random.Next(-40, 41) / 100m);
                        db.Households.Add(new Household { EstateId = estate.Id, BuildingId = b.Id, UnitId = u.Id, Room = $"{floor}{flat:00}", AreaM2 = area });
                    }
                }
            }
        }

        await db.SaveChangesAsync(ct);
        return buildings;
    }

    private static async Task AddAdminAsync(NeighbourHubDbContext db, UserManager<AdminUser> users, string userName, string displayName,
        string password, AdminRole role, long? scopeId)
    {
        var user = new AdminUser { UserName = userName, DisplayName = displayName, LockoutEnabled = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Demo admin {userName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        db.RoleAssignments.Add(RoleAssignment.Create(user.Id, role, scopeId));
        await db.SaveChangesAsync();
    }
}
