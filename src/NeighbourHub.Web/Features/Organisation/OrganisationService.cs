using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

/// <summary>Creating the organisation tree from the console. The context's scope decides what may be touched.</summary>
public sealed class OrganisationService
{
    public async Task<Community> CreateCommunityAsync(NeighbourHubDbContext db, long streetId, string name, CancellationToken ct)
    {
        if (!db.Scope.Value.Has(AdminRole.PlatformAdmin))
        {
            throw new ForbiddenException("只有平台管理员可以创建社区。");
        }

        Require("name", name, 100);
        if (!await db.Streets.AnyAsync(s => s.Id == streetId, ct))
        {
            throw new DomainValidationException("streetId", "请选择街道。");
        }

        var community = new Community { StreetId = streetId, Name = name.Trim() };
        db.Communities.Add(community);
        await db.SaveChangesAsync(ct);
        return community;
    }

    public async Task<Estate> CreateEstateAsync(NeighbourHubDbContext db, long communityId, string name, string address, CancellationToken ct)
    {
        Require("name", name, 100);
        if (address.Length > 200)
        {
            throw new DomainValidationException("address", "地址最多 200 个字。");
        }

        // The community filter hides communities outside the caller's scope.
        if (!await db.Communities.AnyAsync(c => c.Id == communityId, ct))
        {
            throw new DomainValidationException("communityId", "请选择您管理的社区。");
        }

        var estate = new Estate { CommunityId = communityId, Name = name.Trim(), Address = address.Trim() };
        db.Estates.Add(estate);
        await db.SaveChangesAsync(ct);
        db.RepairCategories.AddRange(Repairs.RepairCategory.DefaultsFor(estate.Id));
        await db.SaveChangesAsync(ct);
        if (!db.Scope.Value.Unrestricted)
        {
            // The new estate belongs to a community in scope: let this context see it at once.
            db.Scope.Value = db.Scope.Value with { EstateIds = [.. db.Scope.Value.EstateIds, estate.Id] };
        }

        return estate;
    }

    public async Task<PropertyFirm> CreateFirmAsync(NeighbourHubDbContext db, string name, string phone, CancellationToken ct)
    {
        if (!db.Scope.Value.Has(AdminRole.PlatformAdmin))
        {
            throw new ForbiddenException("只有平台管理员可以登记物业公司。");
        }

        Require("name", name, 100);
        var firm = new PropertyFirm { Name = name.Trim(), ContactPhone = phone.Trim() };
        db.PropertyFirms.Add(firm);
        await db.SaveChangesAsync(ct);
        return firm;
    }

    /// <summary>A firm takes over an estate from a date; the previous firm's contract ends the day before.</summary>
    public async Task AssignFirmAsync(NeighbourHubDbContext db, long estateId, long firmId, DateOnly from, CancellationToken ct)
    {
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
        }

        if (!await db.PropertyFirms.AnyAsync(f => f.Id == firmId, ct))
        {
            throw new DomainValidationException("firmId", "请选择物业公司。");
        }

        var open = await db.EstateFirmContracts.Where(c => c.EstateId == estateId && (c.To == null || c.To >= from)).ToListAsync(ct);
        if (open.Any(c => c.From >= from))
        {
            throw new ConflictException("已有其他物业公司的合同在这一天或之后开始，请另选接管日期。");
        }

        foreach (var c in open)
        {
            c.To = from.AddDays(-1);
        }

        db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = estateId, PropertyFirmId = firmId, From = from });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Marks a flat as still held by the developer (unsold or undelivered) or not: in owners' votes all such flats of
    /// an estate count as one owner (art. 9 of the SPC interpretation). Community and platform admins keep the roll;
    /// the change is audited with the household's before and after, as every admin write is.
    /// </summary>
    public async Task<Household> SetHeldByDeveloperAsync(NeighbourHubDbContext db, long householdId, bool held, CancellationToken ct)
    {
        if (!db.Scope.Value.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin))
        {
            throw new ForbiddenException("只有社区和平台管理员可以修改房屋名册。");
        }

        // The household filter hides flats outside the caller's scope.
        var household = await db.Households.SingleOrDefaultAsync(h => h.Id == householdId, ct) ?? throw new NotFoundException("房屋");
        if (household.HeldByDeveloper != held)
        {
            household.HeldByDeveloper = held;
            await db.SaveChangesAsync(ct);
        }

        return household;
    }

    private static void Require(string field, string value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            throw new DomainValidationException(field, $"请填写名称（最多 {max} 个字）。");
        }
    }
}
