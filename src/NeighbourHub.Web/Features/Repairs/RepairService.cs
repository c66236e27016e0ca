using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Repairs;

public sealed record StaffMember(long Id, string Name, AdminRole Role);

/// <summary>
/// The repair loop 居民点单 → 小区派单 → 接单 → 群众评单. Every step goes through the state machine on
/// <see cref="Repair"/>, leaves a timeline entry, and tells the reporter through the outbox when it
/// concerns them.
/// </summary>
public sealed class RepairService(TimeProvider clock)
{
    public async Task<Repair> SubmitAsync(NeighbourHubDbContext db, long residentId, long estateId, long? householdId, long categoryId,
        string description, string location, CancellationToken ct)
    {
        if (!db.Scope.Value.CanSeeEstate(estateId))
        {
            throw new ForbiddenException("You can report repairs for the estates where your residence is verified.");
        }

        if (householdId is { } h && !await db.Residences.AnyAsync(r => r.ResidentId == residentId && r.HouseholdId == h && r.Status == ResidenceStatus.Approved, ct))
        {
            throw new DomainValidationException("householdId", "That is not one of your verified households.");
        }

        var category = await db.RepairCategories.SingleOrDefaultAsync(c => c.Id == categoryId && c.EstateId == estateId, ct)
            ?? throw new DomainValidationException("categoryId", "No such category for this estate.");
        var now = clock.StorableNow();
        var repair = new Repair
        {
            EstateId = estateId,
            HouseholdId = householdId,
            CategoryId = categoryId,
            ReporterId = residentId,
            Description = description,
            Location = location,
            CreatedAt = now,
            DeadlineAt = now.AddHours(category.DeadlineHours),
        };
        db.Repairs.Add(repair);
        await db.SaveChangesAsync(ct);
        await LogAsync(db, repair, "submitted", $"resident:{residentId}", null, ct);
        return repair;
    }

    public Task<Repair> CancelAsync(NeighbourHubDbContext db, long repairId, long residentId, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Cancel(), "cancelled", null, ct);

    public Task<Repair> ReopenAsync(NeighbourHubDbContext db, long repairId, long residentId, string reason, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Reopen(clock.GetUtcNow()), "reopened", reason, ct);

    public Task<Repair> RateAsync(NeighbourHubDbContext db, long repairId, long residentId, int stars, string? comment, CancellationToken ct) =>
        ResidentStepAsync(db, repairId, residentId, r => r.Rate(stars, comment, clock.GetUtcNow()), "rated", $"{stars}★ {comment}".Trim(), ct);

    public async Task<Repair> UrgeAsync(NeighbourHubDbContext db, long repairId, long residentId, CancellationToken ct)
    {
        var repair = await ResidentStepAsync(db, repairId, residentId, r => r.Urge(clock.GetUtcNow()), "urged", null, ct);
        if (repair.AssigneeId is { } assignee)
        {
            // Staff are told in the console (the timeline and the overdue board); WeChat messages go to residents only.
            db.Audit("repair.urged", nameof(Repair), repair.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { assignee });
            await db.SaveChangesAsync(ct);
        }

        return repair;
    }

    private async Task<Repair> ResidentStepAsync(NeighbourHubDbContext db, long repairId, long residentId, Action<Repair> step, string action, string? note,
        CancellationToken ct)
    {
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId && r.ReporterId == residentId, ct) ?? throw new NotFoundException("Repair");
        step(repair);
        await SaveAsync(db, ct);
        await LogAsync(db, repair, action, $"resident:{residentId}", note, ct);
        return repair;
    }

    public async Task<Repair> AssignAsync(NeighbourHubDbContext db, long repairId, long assigneeId, CancellationToken ct)
    {
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("Repair");
        var staff = await StaffForAsync(db, repair.EstateId, ct);
        var assignee = staff.FirstOrDefault(s => s.Id == assigneeId)
            ?? throw new DomainValidationException("assigneeId", "Choose someone who may work in this estate (GET /api/v1/admin/staff).");
        repair.Assign(assigneeId);
        await SaveAsync(db, ct);
        await LogAsync(db, repair, "assigned", db.Scope.Value.ActorName, assignee.Name, ct);
        await NotifyAsync(db, repair, "repair.assigned", "已派单", ct);
        return repair;
    }

    public async Task<Repair> StartAsync(NeighbourHubDbContext db, long repairId, CancellationToken ct)
    {
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("Repair");
        repair.Start(db.Scope.Value.AdminUserId ?? 0);
        await SaveAsync(db, ct);
        await LogAsync(db, repair, "started", db.Scope.Value.ActorName, null, ct);
        return repair;
    }

    public async Task<Repair> ResolveAsync(NeighbourHubDbContext db, long repairId, string note, CancellationToken ct)
    {
        var repair = await db.Repairs.SingleOrDefaultAsync(r => r.Id == repairId, ct) ?? throw new NotFoundException("Repair");
        repair.Resolve(note, clock.GetUtcNow());
        await SaveAsync(db, ct);
        await LogAsync(db, repair, "resolved", db.Scope.Value.ActorName, note, ct);
        await NotifyAsync(db, repair, "repair.resolved", "已处理，请评价", ct);
        return repair;
    }

    /// <summary>Who may be assigned in an estate: staff of the firm serving it today, its grid workers and its community admins.</summary>
    public async Task<List<StaffMember>> StaffForAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var estate = await db.Estates.SingleOrDefaultAsync(e => e.Id == estateId, ct) ?? throw new NotFoundException("Estate");
        var today = DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var firms = db.EstateFirmContracts.IgnoreQueryFilters()
            .Where(c => c.EstateId == estateId && c.From <= today && (c.To == null || c.To >= today)).Select(c => (long?)c.PropertyFirmId);
        var grids = from gb in db.GridBuildings
                    join b in db.Buildings.IgnoreQueryFilters() on gb.BuildingId equals b.Id
                    where b.EstateId == estateId
                    select (long?)gb.GridId;
        return await (from a in db.RoleAssignments
                      where (a.Role == AdminRole.FirmStaff && firms.Contains(a.PropertyFirmId))
                            || (a.Role == AdminRole.GridWorker && grids.Contains(a.GridId))
                            || (a.Role == AdminRole.CommunityAdmin && a.CommunityId == estate.CommunityId)
                      join u in db.Users on a.AdminUserId equals u.Id
                      where !u.IsDisabled
                      orderby a.Role, u.UserName
                      select new StaffMember(u.Id, u.DisplayName == "" ? u.UserName! : u.DisplayName, a.Role)).ToListAsync(ct);
    }

    private static async Task SaveAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone changed this repair at the same moment. Reload to see its state.");
        }
    }

    private async Task LogAsync(NeighbourHubDbContext db, Repair repair, string action, string actor, string? note, CancellationToken ct)
    {
        db.RepairEvents.Add(new RepairEvent { RepairId = repair.Id, At = clock.StorableNow(), Action = action, Actor = actor, Note = note });
        await db.SaveChangesAsync(ct);
    }

    private async Task NotifyAsync(NeighbourHubDbContext db, Repair repair, string template, string text, CancellationToken ct)
    {
        await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"{template}:{repair.Id}:{repair.ReopenCount}:{clock.GetUtcNow().ToUnixTimeMilliseconds()}",
            new SubscribeMessagePayload(repair.ReporterId, template, $"pages/repairs/detail?id={repair.Id}",
                new Dictionary<string, string> { ["character_string1"] = repair.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["phrase2"] = text }), clock, ct);
        await db.SaveChangesAsync(ct);
    }
}
