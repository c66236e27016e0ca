using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Residents;

public sealed record ResidenceRow(
    long Id, long ResidentId, string RealNameMasked, string? PhoneMasked, long HouseholdId, long EstateId, string EstateName,
    string Address, ResidenceRelation Relation, ResidenceStatus Status, DateTimeOffset CreatedAt, string? RejectReason);

/// <summary>A resident's full phone number, revealed to staff (and written to the audit log: who, whose, when).</summary>
public sealed record RevealedPhone(long ResidenceId, string? Phone);

public sealed record InviteCodeRow(long Id, string Code, long HouseholdId, ResidenceRelation? Relation, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

/// <summary>
/// Residence applications and invite codes: the rules shared by the mini-program API and the console.
/// The context passed in carries the caller's scope, so an application outside it is simply not found.
/// </summary>
public sealed class ResidenceService(TimeProvider clock)
{
    public const int MaxInviteDays = 30;

    public async Task<Residence> ApplyAsync(NeighbourHubDbContext db, long residentId, long householdId, ResidenceRelation relation,
        string realName, string? inviteCode, CancellationToken ct)
    {
        // The household directory is open to signed-in residents (that is how they find their flat).
        var household = await db.Households.Unscoped(Because.ResidentsFindTheirFlat).AsNoTracking().SingleOrDefaultAsync(h => h.Id == householdId, ct)
            ?? throw new DomainValidationException("householdId", "找不到这套房屋，请重新选择。");
        var now = clock.GetUtcNow();
        var residence = Residence.Apply(residentId, household.Id, household.EstateId, relation, realName.Trim(), now);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!string.IsNullOrWhiteSpace(inviteCode))
        {
            var code = inviteCode.Trim().ToUpperInvariant();
            var invite = await db.InviteCodes.Unscoped(Because.InviteCodeIsTheKey).AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, ct);
            if (invite is null || invite.HouseholdId != household.Id || invite.ExpiresAt <= now || invite.UsedAt is not null)
            {
                throw new DomainValidationException("inviteCode", "邀请码无效：与这套房屋不符、已过期或已被使用。");
            }

            if (invite.Relation is { } only && only != relation)
            {
                throw new DomainValidationException("inviteCode", $"此邀请码仅供{StatusTexts.Of(only)}使用，请把与房屋的关系选为“{StatusTexts.Of(only)}”。");
            }

            // Single use even under racing requests: only the update that finds it unused counts.
            var taken = await db.InviteCodes.Unscoped(Because.InviteCodeIsTheKey)
                .Where(i => i.Id == invite.Id && i.UsedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now).SetProperty(i => i.UsedByResidentId, residentId), ct);
            if (taken != 1)
            {
                throw new DomainValidationException("inviteCode", "邀请码已被使用。");
            }

            residence.ApproveWithInvite(invite.Id, now);
        }

        db.Residences.Add(residence);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique ActiveKey caught a second live application (possibly from a racing request).
            if (await HasLiveApplicationAsync(residentId, householdId, db, ct))
            {
                throw new ConflictException("您已为这套房屋提交过住户认证申请（审核中或已通过），无需重复提交。");
            }

            throw;
        }

        await tx.CommitAsync(ct);
        return residence;
    }

    private static async Task<bool> HasLiveApplicationAsync(long residentId, long householdId, NeighbourHubDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var key = $"{residentId}:{householdId}";
        return await db.Residences.Unscoped(Because.UniqueKeysSpanAllRows).AnyAsync(r => r.ActiveKey == key, ct);
    }

    public async Task<Residence> ApproveAsync(NeighbourHubDbContext db, long residenceId, CancellationToken ct)
    {
        var residence = await db.Residences.SingleOrDefaultAsync(r => r.Id == residenceId, ct) ?? throw new NotFoundException("住户认证申请");
        residence.Approve(db.Scope.Value.AdminUserId, clock.GetUtcNow());
        await SaveDecisionAsync(db, ct);
        return residence;
    }

    /// <summary>Rejects with a reason the applicant will read; the API and the console both come here.</summary>
    public async Task<Residence> RejectAsync(NeighbourHubDbContext db, long residenceId, string? reason, CancellationToken ct)
    {
        var v = new Validation().Required("reason", reason, 200, label: "驳回理由");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var residence = await db.Residences.SingleOrDefaultAsync(r => r.Id == residenceId, ct) ?? throw new NotFoundException("住户认证申请");
        residence.Reject(db.Scope.Value.AdminUserId ?? 0, reason!.Trim(), clock.GetUtcNow());
        await SaveDecisionAsync(db, ct);
        return residence;
    }

    /// <summary>Status is a concurrency token: two staff deciding at once → one wins, the other gets 409.</summary>
    private static async Task SaveDecisionAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("另一位工作人员刚刚审核了这份申请，请刷新查看结果。");
        }
    }

    public IQueryable<ResidenceRow> Query(NeighbourHubDbContext db, ResidenceStatus? status, long? estateId) =>
        from r in db.Residences
        where (status == null || r.Status == status) && (estateId == null || r.EstateId == estateId)
        join h in db.Households on r.HouseholdId equals h.Id
        join u in db.Units on h.UnitId equals u.Id
        join b in db.Buildings on h.BuildingId equals b.Id
        join e in db.Estates on r.EstateId equals e.Id
        join p in db.Residents on r.ResidentId equals p.Id
        orderby r.CreatedAt descending, r.Id descending
        select new ResidenceRow(r.Id, r.ResidentId, r.RealName, p.PhoneNumber, r.HouseholdId, r.EstateId, e.Name,
            b.Name + u.Name + h.Room, r.Relation, r.Status, r.CreatedAt, r.RejectReason);

    /// <summary>Masks personal data for lists; the full name is only on the single application.</summary>
    public static ResidenceRow Mask(ResidenceRow row) =>
        row with { RealNameMasked = NameMasking.Mask(row.RealNameMasked), PhoneMasked = PhoneMasking.Mask(row.PhoneMasked) };

    /// <summary>
    /// The full phone number of an application's resident, for staff whose role needs to call them (see
    /// <see cref="ResidenceQueries.MayRevealContacts"/>; the committee is refused). Every reveal is audited with who
    /// asked, whose number and for which flat — never the number itself. An application outside the scope is not found.
    /// </summary>
    public static async Task<RevealedPhone> RevealPhoneAsync(NeighbourHubDbContext db, long residenceId, CancellationToken ct)
    {
        if (!ResidenceQueries.MayRevealContacts(db.Scope.Value))
        {
            throw new ForbiddenException("业委会成员不能查看住户的完整手机号。");
        }

        var found = await (from r in db.Residences.AsNoTracking()
                           where r.Id == residenceId
                           join h in db.Households on r.HouseholdId equals h.Id
                           join u in db.Units on h.UnitId equals u.Id
                           join b in db.Buildings on h.BuildingId equals b.Id
                           join p in db.Residents on r.ResidentId equals p.Id
                           select new { r.ResidentId, r.EstateId, r.RealName, Address = b.Name + u.Name + h.Room, p.PhoneNumber }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("住户");
        db.Audit("resident.phone-revealed", "Resident", found.ResidentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { ResidenceId = residenceId, found.EstateId, Household = found.Address, found.RealName });
        await db.SaveChangesAsync(ct);
        return new RevealedPhone(residenceId, found.PhoneNumber);
    }

    public async Task<InviteCode> CreateInviteAsync(NeighbourHubDbContext db, long householdId, ResidenceRelation? relation, int validDays, CancellationToken ct)
    {
        if (validDays is < 1 or > MaxInviteDays)
        {
            throw new DomainValidationException("validDays", $"有效天数应在 1 到 {MaxInviteDays} 天之间。");
        }

        var household = await db.Households.SingleOrDefaultAsync(h => h.Id == householdId, ct) ?? throw new NotFoundException("房屋");
        var now = clock.GetUtcNow();
        var invite = new InviteCode
        {
            HouseholdId = household.Id,
            EstateId = household.EstateId,
            Code = InviteCode.NewCode(),
            Relation = relation,
            CreatedAt = now,
            ExpiresAt = now.AddDays(validDays),
            CreatedByAdminId = db.Scope.Value.AdminUserId ?? 0,
        };
        db.InviteCodes.Add(invite);
        await db.SaveChangesAsync(ct);
        return invite;
    }
}
