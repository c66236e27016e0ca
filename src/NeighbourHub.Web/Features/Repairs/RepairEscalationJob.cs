using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Repairs;

public sealed class RepairEscalationOptions
{
    public const string SectionName = "Repairs:Escalation";

    /// <summary>How often each instance looks for overdue repairs. Zero disables the loop (tests call <see cref="RepairEscalationJob.RunOnceAsync"/>).</summary>
    public double PollSeconds { get; set; } = 60;

    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// 限期办结: finds open repairs past their deadline and escalates each level once — first to the grid
/// workers responsible for the household's building (or any grid of the estate for public areas), then,
/// if it is still open after as long again as it was allowed, to the community admins. Each level is
/// claimed with a conditional update, so instances running the job at the same time never escalate twice.
/// Driven by <see cref="TimeProvider"/>, so tests move a fake clock instead of waiting.
/// </summary>
public sealed class RepairEscalationJob(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    RepairService repairs,
    IOptions<RepairEscalationOptions> options,
    TimeProvider clock,
    ILogger<RepairEscalationJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.PollSeconds;

    protected override Task RunTickAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Escalates everything due now; returns how many escalation steps were taken.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.StorableNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        var due = await db.Repairs.AsNoTracking()
            .Where(Repair.Open).Where(r => r.DeadlineAt < now && r.EscalationLevel < 2)
            .OrderBy(r => r.DeadlineAt).Take(options.Value.BatchSize).ToListAsync(ct);
        var steps = 0;
        foreach (var repair in due)
        {
            for (var level = repair.EscalationLevel + 1; level <= repair.DueEscalationLevel(now); level++)
            {
                if (await EscalateAsync(db, repair, level, now, ct))
                {
                    steps++;
                }
            }
        }

        if (steps > 0)
        {
            log.LogInformation("Escalated {Steps} overdue repair step(s)", steps);
        }

        return steps;
    }

    private async Task<bool> EscalateAsync(NeighbourHubDbContext db, Repair repair, int level, DateTimeOffset now, CancellationToken ct)
    {
        var targets = level == 1 ? await GridWorkersForAsync(db, repair, ct) : [];
        var toCommunity = targets.Count == 0;
        if (toCommunity)
        {
            targets = await CommunityAdminsForAsync(db, repair.EstateId, ct);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The claim: only the instance that moves the level from level-1 to level goes on.
        var claimed = await db.Repairs.Where(r => r.Id == repair.Id && r.EscalationLevel == level - 1)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.EscalationLevel, level).SetProperty(r => r.LastEscalatedAt, now), ct);
        if (claimed == 0)
        {
            return false;
        }

        db.RepairEscalations.AddRange(targets.Select(t => new RepairEscalation { RepairId = repair.Id, Level = level, AdminUserId = t.Id, At = now }));
        var who = targets.Count == 0 ? "（无人可升级，请配置网格员或社区管理员）" : string.Join("、", targets.Select(t => t.Name));
        var stage = level == 1 && !toCommunity ? "超时，升级至网格员" : "超时未办结，升级至社区";
        repairs.AddEvent(db, repair, "escalated", AccessScope.System.ActorName, $"{stage}：{who}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        ProductMetrics.RepairEscalated(level);
        repair.EscalationLevel = level;
        return true;
    }

    /// <summary>Grid workers of the grid covering the household's building; for public areas, of every grid in the estate.</summary>
    private static async Task<List<StaffMember>> GridWorkersForAsync(NeighbourHubDbContext db, Repair repair, CancellationToken ct)
    {
        var buildings = repair.HouseholdId is { } h
            ? db.Households.Where(x => x.Id == h).Select(x => x.BuildingId)
            : db.Buildings.Where(b => b.EstateId == repair.EstateId).Select(b => b.Id);
        var grids = db.GridBuildings.Where(gb => buildings.Contains(gb.BuildingId)).Select(gb => (long?)gb.GridId);
        var staff = await StaffMember.Holding(db, db.RoleAssignments.Where(a => a.Role == AdminRole.GridWorker && grids.Contains(a.GridId))).ToListAsync(ct);
        return staff.Distinct().ToList();
    }

    private static async Task<List<StaffMember>> CommunityAdminsForAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var community = db.Estates.Where(e => e.Id == estateId).Select(e => (long?)e.CommunityId);
        var staff = await StaffMember.Holding(db, db.RoleAssignments.Where(a => a.Role == AdminRole.CommunityAdmin && community.Contains(a.CommunityId))).ToListAsync(ct);
        return staff.Distinct().ToList();
    }
}
