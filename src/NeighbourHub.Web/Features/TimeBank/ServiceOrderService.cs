using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.TimeBank;

/// <summary>Volunteers and service orders: every move of points goes through the ledger, every status change is conditional.</summary>
public sealed class ServiceOrderService(TimeBankLedger ledger, TimeProvider clock)
{
    public const int MaxOrderPoints = 1000;

    /// <summary>The community a verified resident belongs to (their first approved residence), or 403.</summary>
    private static async Task<long> CommunityOfAsync(NeighbourHubDbContext db, long residentId, CancellationToken ct) =>
        await (from r in db.Residences.Unscoped(Because.ResidentsOwnHomes)
               where r.ResidentId == residentId && r.Status == ResidenceStatus.Approved
               join e in db.Estates.Unscoped(Because.ResidentsOwnHomes) on r.EstateId equals e.Id
               orderby r.Id
               select (long?)e.CommunityId).FirstOrDefaultAsync(ct)
        ?? throw new ForbiddenException("请先在“我的房屋”中完成住户认证。");

    public async Task<VolunteerProfile> ApplyAsync(NeighbourHubDbContext db, long residentId, IReadOnlyList<string> skills, string intro, CancellationToken ct)
    {
        var communityId = await CommunityOfAsync(db, residentId, ct);
        var profile = await db.VolunteerProfiles.SingleOrDefaultAsync(p => p.ResidentId == residentId, ct);
        if (profile is null)
        {
            profile = new VolunteerProfile { ResidentId = residentId, CommunityId = communityId, Status = VolunteerStatus.Pending, AppliedAt = clock.GetUtcNow() };
            db.VolunteerProfiles.Add(profile);
        }
        else if (profile.Status == VolunteerStatus.Rejected)
        {
            profile.Status = VolunteerStatus.Pending;
            profile.AppliedAt = clock.GetUtcNow();
        }

        profile.Skills = string.Join(",", skills.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct());
        profile.Intro = intro.Trim();
        await db.SaveChangesAsync(ct);
        return profile;
    }

    public async Task<VolunteerProfile> DecideVolunteerAsync(NeighbourHubDbContext db, long residentId, bool approve, CancellationToken ct)
    {
        var profile = await db.VolunteerProfiles.SingleOrDefaultAsync(p => p.ResidentId == residentId, ct) ?? throw new NotFoundException("志愿者申请");
        profile.Status = approve ? VolunteerStatus.Approved : VolunteerStatus.Rejected;
        profile.DecidedAt = clock.GetUtcNow();
        profile.DecidedByAdminId = db.Scope.Value.AdminUserId;
        var resident = await db.Residents.SingleAsync(r => r.Id == residentId, ct);
        resident.IsVolunteer = approve;
        await db.SaveChangesAsync(ct);
        return profile;
    }

    public async Task<ServiceOrder> PostAsync(NeighbourHubDbContext db, long residentId, string title, string description, int points,
        DateTimeOffset? wantedAt, string? idempotencyKey, CancellationToken ct)
    {
        var requestKey = $"{residentId}:{idempotencyKey ?? Guid.NewGuid().ToString("N")}";
        if (await db.ServiceOrders.Unscoped(Because.IdempotentReplay).AsNoTracking().SingleOrDefaultAsync(o => o.RequestKey == requestKey, ct) is { } replay)
        {
            return replay;
        }

        var communityId = await CommunityOfAsync(db, residentId, ct);
        var paidByPool = await db.Residents.Where(r => r.Id == residentId).Select(r => r.ServiceOrdersPaidByPool).SingleAsync(ct);
        var payer = paidByPool ? await ledger.PoolAsync(db, communityId, ct) : await ledger.ResidentAccountAsync(db, residentId, ct);
        var escrow = await ledger.EscrowAsync(db, communityId, ct);
        return await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            if (await db.ServiceOrders.Unscoped(Because.IdempotentReplay).AsNoTracking().SingleOrDefaultAsync(o => o.RequestKey == requestKey, ct) is { } twin)
            {
                return twin;
            }

            await ledger.PostAsync(db, $"order-escrow:{requestKey}", LedgerCategory.ServiceOrder, communityId, $"服务订单托管：{title}", null,
                [new Movement(payer.Id, -points), new Movement(escrow.Id, points)], ct);
            var order = new ServiceOrder
            {
                CommunityId = communityId,
                RequesterId = residentId,
                Title = title,
                Description = description,
                Points = points,
                WantedAt = wantedAt,
                FundedByPool = paidByPool,
                Status = ServiceOrderStatus.Open,
                CreatedAt = clock.GetUtcNow(),
                RequestKey = requestKey,
            };
            db.ServiceOrders.Add(order);
            await db.SaveChangesAsync(ct);
            return order;
        }, ct);
    }

    /// <summary>An approved volunteer takes an open order (接单), or staff dispatch it to one (派单). One claim wins.</summary>
    public async Task<ServiceOrder> ClaimAsync(NeighbourHubDbContext db, long orderId, long volunteerId, bool dispatched, CancellationToken ct)
    {
        // Someone who is no approved volunteer anywhere hears so first, whatever the id (so the id reveals nothing);
        // orders are visible to approved volunteers of their community only.
        if (!dispatched && !await db.VolunteerProfiles.AnyAsync(p => p.ResidentId == volunteerId && p.Status == VolunteerStatus.Approved, ct))
        {
            throw new ForbiddenException("只有本社区已认证的志愿者才能接单，请先在“志愿者”中提交申请。");
        }

        var order = await db.ServiceOrders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId, ct) ?? throw new NotFoundException("服务订单");
        order.EnsureCan(ServiceOrderStatus.Claimed);
        if (order.RequesterId == volunteerId)
        {
            throw new ConflictException("不能接自己发布的服务订单。");
        }

        var approved = await db.VolunteerProfiles.Unscoped(Because.VolunteerRecord)
            .AnyAsync(p => p.ResidentId == volunteerId && p.Status == VolunteerStatus.Approved && p.CommunityId == order.CommunityId, ct);
        if (!approved)
        {
            throw dispatched
                ? new DomainValidationException("volunteerId", "请选择本社区已认证的志愿者。")
                : new ForbiddenException("只有本社区已认证的志愿者才能接单，请先在“志愿者”中提交申请。");
        }

        var now = clock.GetUtcNow();
        return await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            var taken = await db.ServiceOrders.Where(o => o.Id == orderId && o.Status == ServiceOrderStatus.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, ServiceOrderStatus.Claimed).SetProperty(o => o.VolunteerId, volunteerId)
                    .SetProperty(o => o.ClaimedAt, now).SetProperty(o => o.Dispatched, dispatched), ct);
            if (taken == 0)
            {
                throw new ConflictException("这个订单已被其他志愿者接走了。");
            }

            if (dispatched)
            {
                // A conditional update bypasses the change tracker's audit: staff dispatch is recorded explicitly, in the same transaction.
                db.Audit("service-order.dispatch", nameof(ServiceOrder), orderId.ToString(System.Globalization.CultureInfo.InvariantCulture), new { volunteerId });
                await db.SaveChangesAsync(ct);
            }

            return await db.ServiceOrders.AsNoTracking().SingleAsync(o => o.Id == orderId, ct);
        }, ct);
    }

    public async Task<ServiceOrder> CompleteAsync(NeighbourHubDbContext db, long orderId, long volunteerId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var done = await db.ServiceOrders.Where(o => o.Id == orderId && o.Status == ServiceOrderStatus.Claimed && o.VolunteerId == volunteerId)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, ServiceOrderStatus.Completed).SetProperty(o => o.CompletedAt, now), ct);
        var order = await db.ServiceOrders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId, ct) ?? throw new NotFoundException("服务订单");
        if (done == 0)
        {
            throw new ConflictException(order.VolunteerId != volunteerId ? "只有接单的志愿者才能标记服务完成。" : order.WhyNot(ServiceOrderStatus.Completed)!);
        }

        return order;
    }

    /// <summary>The requester confirms and rates (评单): the escrow moves to the volunteer, once.</summary>
    public Task<ServiceOrder> ConfirmAsync(NeighbourHubDbContext db, long orderId, long requesterId, int stars, string? comment, CancellationToken ct) =>
        SettleAsync(db, orderId, ServiceOrderStatus.Completed, ServiceOrderStatus.Confirmed, payVolunteer: true, requesterId,
            o => { o.Stars = stars; o.Comment = comment; }, ct);

    /// <summary>The requester withdraws before completion: the escrow goes back to whoever paid it.</summary>
    public Task<ServiceOrder> CancelAsync(NeighbourHubDbContext db, long orderId, long requesterId, CancellationToken ct) =>
        SettleAsync(db, orderId, null, ServiceOrderStatus.Cancelled, payVolunteer: false, requesterId, _ => { }, ct);

    /// <summary>
    /// Staff decide a disputed order: pay the volunteer or return the points, with a note. The one door for the API
    /// and the console: the body is checked here (400 per field).
    /// </summary>
    public Task<ServiceOrder> ResolveAsync(NeighbourHubDbContext db, long orderId, ResolveRequest? body, CancellationToken ct)
    {
        var v = new Validation().Required("payVolunteer", body?.PayVolunteer).Required("note", body?.Note, 500);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var note = body!.Note!.Trim();
        return SettleAsync(db, orderId, ServiceOrderStatus.Disputed, ServiceOrderStatus.Resolved, body.PayVolunteer!.Value, null, o => o.Resolution = note, ct);
    }

    public async Task<ServiceOrder> DisputeAsync(NeighbourHubDbContext db, long orderId, long requesterId, string reason, CancellationToken ct)
    {
        var order = await db.ServiceOrders.SingleOrDefaultAsync(o => o.Id == orderId && o.RequesterId == requesterId, ct) ?? throw new NotFoundException("服务订单");
        order.EnsureCan(ServiceOrderStatus.Disputed);
        order.Status = ServiceOrderStatus.Disputed;
        order.DisputeReason = reason;
        await SaveConcurrentlyAsync(db, ct);
        return order;
    }

    private async Task<ServiceOrder> SettleAsync(NeighbourHubDbContext db, long orderId, ServiceOrderStatus? from, ServiceOrderStatus to, bool payVolunteer,
        long? requesterId, Action<ServiceOrder> details, CancellationToken ct)
    {
        var order = await db.ServiceOrders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId && (requesterId == null || o.RequesterId == requesterId), ct)
            ?? throw new NotFoundException("服务订单");
        order.EnsureCan(to);
        if (from is { } required && order.Status != required)
        {
            throw new ConflictException(order.WhyNot(to) ?? $"该服务订单当前为「{StatusTexts.Of(order.Status)}」，不能{StatusTexts.Step(to)}。");
        }

        var escrow = await ledger.EscrowAsync(db, order.CommunityId, ct);
        var receiver = payVolunteer
            ? await ledger.ResidentAccountAsync(db, order.VolunteerId ?? throw new ConflictException("这个订单还没有人接单。"), ct)
            : order.FundedByPool ? await ledger.PoolAsync(db, order.CommunityId, ct) : await ledger.ResidentAccountAsync(db, order.RequesterId, ct);
        return await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            var tracked = await db.ServiceOrders.SingleAsync(o => o.Id == orderId, ct);
            tracked.EnsureCan(to);
            tracked.Status = to;
            tracked.ClosedAt = clock.GetUtcNow();
            details(tracked);
            await SaveConcurrentlyAsync(db, ct); // Status is a concurrency token: a racing settlement fails here
            var (sourceRef, memo) = payVolunteer ? ($"order-pay:{orderId}", $"服务订单完成：{order.Title}") : ($"order-refund:{orderId}", $"服务订单退回：{order.Title}");
            await ledger.PostAsync(db, sourceRef, LedgerCategory.ServiceOrder, order.CommunityId, memo, db.Scope.Value.AdminUserId,
                [new Movement(escrow.Id, -order.Points), new Movement(receiver.Id, order.Points)], ct);
            return tracked;
        }, ct);
    }

    private static async Task SaveConcurrentlyAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("订单刚刚被其他人更新，请刷新后重试。");
        }
    }
}
