using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

public sealed record RedemptionView(long Id, long RewardId, string RewardName, int Quantity, int Points, RedemptionStatus Status, DateTimeOffset CreatedAt);

public sealed record TransferAnswer(long TransactionId, int Balance);

/// <summary>Earning, spending and donating points: the rules over <see cref="TimeBankLedger"/>.</summary>
public sealed class TimeBankService(TimeBankLedger ledger, TimeProvider clock)
{
    public const int MaxPointsPerOperation = 100_000;

    /// <summary>The most points one staff grant may credit.</summary>
    public const int MaxGrantPoints = 1000;

    /// <summary>
    /// Verified hours credited from the community pool by staff, recording who approved. The one door for the API
    /// and the console alike: every rule is checked here (400 per field), nothing is written when one fails.
    /// </summary>
    public async Task<LedgerTransaction> GrantAsync(NeighbourHubDbContext db, GrantRequest? body, string? idempotencyKey, CancellationToken ct)
    {
        var v = new Validation()
            .Positive("residentId", body?.ResidentId)
            .When(body?.Points is null or < 1 or > MaxGrantPoints, "points", $"每次发放的积分应在 1 到 {MaxGrantPoints} 之间。")
            .Required("memo", body?.Memo, 200)
            .When(body?.Category is not (null or LedgerCategory.VolunteerService or LedgerCategory.ServiceOrder or LedgerCategory.Correction),
                "category", "类别只能是 volunteerService（志愿服务）、serviceOrder（服务订单）或 correction（更正）。")
            .MaxLength(Idempotency.Header, idempotencyKey, Idempotency.MaxKeyLength);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var (residentId, points, category, memo) = (body!.ResidentId!.Value, body.Points!.Value, body.Category ?? LedgerCategory.VolunteerService, body.Memo!.Trim());
        var adminId = db.Scope.Value.AdminUserId ?? throw new ForbiddenException("只有工作人员可以发放积分。");
        // The pool that pays is that of a community whose office this admin runs and where the resident lives.
        var communityId = await OfficeCommunitiesOf(db, residentId).Select(c => (long?)c).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("居民");
        var pool = await ledger.PoolAsync(db, communityId, ct);
        var account = await ledger.ResidentAccountAsync(db, residentId, ct);
        var sourceRef = $"grant:{adminId}:{idempotencyKey ?? Guid.NewGuid().ToString("N")}";
        return await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            var (tx, _) = await ledger.PostAsync(db, sourceRef, category, communityId, memo, adminId,
                [new Movement(pool.Id, -points), new Movement(account.Id, points)], ct);
            return tx;
        }, ct);
    }

    /// <summary>Whether the resident has an approved home in a community whose office the caller runs (AccessScope.OfficeCommunityIds).</summary>
    public static Task<bool> LivesInMyOfficeAsync(NeighbourHubDbContext db, long residentId, CancellationToken ct) =>
        OfficeCommunitiesOf(db, residentId).AnyAsync(ct);

    /// <summary>The communities (oldest residence first) where the resident lives and whose office the caller runs.</summary>
    private static IQueryable<long> OfficeCommunitiesOf(NeighbourHubDbContext db, long residentId)
    {
        var scope = db.Scope.Value;
        var office = scope.OfficeEstateIds ?? [];
        return from r in db.Residences
               where r.ResidentId == residentId && r.Status == ResidenceStatus.Approved && (scope.Unrestricted || office.Contains(r.EstateId))
               join e in db.Estates on r.EstateId equals e.Id
               orderby r.Id
               select e.CommunityId;
    }

    /// <summary>
    /// A reward in the catalogue of a community whose office the caller runs. The one door for the API and
    /// the console alike: every rule is checked here (400 per field), nothing is written when one fails.
    /// </summary>
    public async Task<Reward> CreateRewardAsync(NeighbourHubDbContext db, RewardRequest? body, CancellationToken ct)
    {
        var v = new Validation()
            .When(body?.CommunityId is null or < 1, "communityId", "请选择社区。")
            .Required("name", body?.Name, 100, label: "奖品名称")
            .When(body?.PointsCost is null or < 1 or > MaxPointsPerOperation, "pointsCost", $"兑换所需积分应在 1 到 {MaxPointsPerOperation} 之间。")
            .When(body?.Stock is null or < 0, "stock", "库存不能为负数。")
            .When(body?.PerPersonLimit is < 0, "perPersonLimit", "每人限兑数量不能为负数（0 表示不限）。")
            .When(body?.ActiveFrom is { } f && body.ActiveTo is { } t && t <= f, "activeTo", "下架时间应晚于上架时间。");
        if (v.IsValid && (!db.Scope.Value.RunsOfficeOf(body!.CommunityId!.Value) || !await db.Communities.AnyAsync(c => c.Id == body.CommunityId, ct)))
        {
            v.Add("communityId", "只能为您所在社区的时间银行上架奖品。");
        }

        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var reward = new Reward
        {
            CommunityId = body!.CommunityId!.Value,
            Name = body.Name!.Trim(),
            PointsCost = body.PointsCost!.Value,
            Stock = body.Stock!.Value,
            PerPersonLimit = body.PerPersonLimit ?? 0,
            ActiveFrom = body.ActiveFrom,
            ActiveTo = body.ActiveTo,
        };
        db.Rewards.Add(reward);
        await db.SaveChangesAsync(ct);
        return reward;
    }

    /// <summary>Points for attending a volunteer event, from the community pool, once per event and resident.</summary>
    public async Task CreditEventAttendanceAsync(NeighbourHubDbContext db, long eventId, long communityId, long residentId, int points, CancellationToken ct)
    {
        var pool = await ledger.PoolAsync(db, communityId, ct);
        var account = await ledger.ResidentAccountAsync(db, residentId, ct);
        // The memo names the event as people know it, not by its number.
        var title = await db.Events.Unscoped(Because.DetailsOfARowInScope).Where(e => e.Id == eventId).Select(e => e.Title).SingleOrDefaultAsync(ct) ?? "志愿活动";
        await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            await ledger.PostAsync(db, $"event:{eventId}:{residentId}", LedgerCategory.EventAttendance, communityId, $"参加活动「{title.Clip(60)}」", null,
                [new Movement(pool.Id, -points), new Movement(account.Id, points)], ct);
            return true;
        }, ct);
    }

    public async Task<TransferAnswer> TransferAsync(NeighbourHubDbContext db, long fromResidentId, long toResidentId, int points, string memo,
        string? idempotencyKey, CancellationToken ct)
    {
        if (fromResidentId == toResidentId)
        {
            throw new DomainValidationException("toResidentId", "不能把积分赠送给自己。");
        }

        // Points stay inside the community: the receiver must be a verified resident of a community where the
        // giver is verified too. A missing id and a stranger's get the same answer, so ids cannot be probed.
        var giverCommunities = db.Scope.Value.CommunityIds;
        var neighbour = await (from r in db.Residences.Unscoped(Because.PointsMoveBetweenScopes)
                               where r.ResidentId == toResidentId && r.Status == ResidenceStatus.Approved
                               join e in db.Estates.Unscoped(Because.PointsMoveBetweenScopes) on r.EstateId equals e.Id
                               where giverCommunities.Contains(e.CommunityId)
                               select r.Id).AnyAsync(ct);
        if (!neighbour)
        {
            throw new DomainValidationException("toResidentId", "找不到这位邻居：积分只能赠送给同一社区已认证的居民。");
        }

        var from = await ledger.ResidentAccountAsync(db, fromResidentId, ct);
        var to = await ledger.ResidentAccountAsync(db, toResidentId, ct);
        var sourceRef = $"transfer:{fromResidentId}:{idempotencyKey ?? Guid.NewGuid().ToString("N")}";
        var tx = await TimeBankLedger.InTransactionAsync(db, async () =>
            (await ledger.PostAsync(db, sourceRef, LedgerCategory.Donation, null, memo, null,
                [new Movement(from.Id, -points), new Movement(to.Id, points)], ct)).Transaction, ct);
        var balance = await db.TimeBankAccounts.Unscoped(Because.PointsMoveBetweenScopes).Where(a => a.Id == from.Id).Select(a => a.Balance).SingleAsync(ct);
        return new TransferAnswer(tx.Id, balance);
    }

    /// <summary>
    /// Points and stock together or not at all: the resident's account row is locked first (so their
    /// per-person limit cannot be raced), stock is taken by a conditional update, and the points move
    /// to the community pool; any shortfall rolls everything back (409).
    /// </summary>
    public async Task<(Redemption Redemption, bool Created)> RedeemAsync(NeighbourHubDbContext db, long residentId, long rewardId, int quantity,
        string idempotencyKey, CancellationToken ct)
    {
        var requestKey = $"{residentId}:{idempotencyKey}";
        var replay = await db.Redemptions.Unscoped(Because.IdempotentReplay).AsNoTracking().SingleOrDefaultAsync(r => r.RequestKey == requestKey, ct);
        if (replay is not null)
        {
            return (replay, false);
        }

        var reward = await db.Rewards.AsNoTracking().SingleOrDefaultAsync(r => r.Id == rewardId, ct) ?? throw new NotFoundException("奖品");
        if (!reward.AvailableAt(clock.GetUtcNow()))
        {
            throw new ConflictException("这个奖品目前不可兑换。");
        }

        var account = await ledger.ResidentAccountAsync(db, residentId, ct);
        var pool = await ledger.PoolAsync(db, reward.CommunityId, ct);
        var points = checked(reward.PointsCost * quantity);
        return await TimeBankLedger.InTransactionAsync(db, async () =>
            {
                await db.TimeBankAccounts.Unscoped(Because.PointsMoveBetweenScopes).Where(a => a.Id == account.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance), ct); // row lock for this resident
                if (await db.Redemptions.Unscoped(Because.IdempotentReplay).AsNoTracking().SingleOrDefaultAsync(r => r.RequestKey == requestKey, ct) is { } twin)
                {
                    return (twin, false); // the same request, replayed while the first was in flight
                }

                if (reward.PerPersonLimit > 0)
                {
                    var held = await db.Redemptions.Unscoped(Because.PointsMoveBetweenScopes)
                        .Where(r => r.RewardId == rewardId && r.ResidentId == residentId && r.Status != RedemptionStatus.Cancelled)
                        .SumAsync(r => (int?)r.Quantity, ct) ?? 0;
                    if (held + quantity > reward.PerPersonLimit)
                    {
                        throw new ConflictException($"这个奖品每人最多兑换 {reward.PerPersonLimit} 份。");
                    }
                }

                var stocked = await db.Rewards.Unscoped(Because.PointsMoveBetweenScopes).Where(r => r.Id == rewardId && r.Stock >= quantity)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Stock, r => r.Stock - quantity), ct);
                if (stocked == 0)
                {
                    throw new ConflictException("库存不足。");
                }

                var (tx, _) = await ledger.PostAsync(db, $"redeem:{requestKey}", LedgerCategory.Redemption, reward.CommunityId,
                    $"兑换 {reward.Name} ×{quantity}", null, [new Movement(account.Id, -points), new Movement(pool.Id, points)], ct);
                var created = new Redemption
                {
                    RewardId = rewardId,
                    ResidentId = residentId,
                    CommunityId = reward.CommunityId,
                    Quantity = quantity,
                    Points = points,
                    Status = RedemptionStatus.Pending,
                    RequestKey = requestKey,
                    TransactionId = tx.Id,
                    CreatedAt = clock.GetUtcNow(),
                };
                db.Redemptions.Add(created);
                await db.SaveChangesAsync(ct);
                return (created, true);
            }, ct);
    }

    public async Task<Redemption> FulfilAsync(NeighbourHubDbContext db, long redemptionId, CancellationToken ct)
    {
        var r = await db.Redemptions.SingleOrDefaultAsync(x => x.Id == redemptionId, ct) ?? throw new NotFoundException("兑换记录");
        if (r.Status != RedemptionStatus.Pending)
        {
            throw new ConflictException($"这条兑换当前为「{StatusTexts.Of(r.Status)}」，只有待领取的兑换才能确认领取。");
        }

        r.Status = RedemptionStatus.Fulfilled;
        r.DecidedAt = clock.GetUtcNow();
        r.DecidedByAdminId = db.Scope.Value.AdminUserId;
        await db.SaveChangesAsync(ct);
        return r;
    }

    /// <summary>Cancels a pending redemption: stock back, points back by a reversing transaction.</summary>
    public async Task<Redemption> CancelRedemptionAsync(NeighbourHubDbContext db, long redemptionId, CancellationToken ct)
    {
        var found = await db.Redemptions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == redemptionId, ct) ?? throw new NotFoundException("兑换记录");
        var account = await ledger.ResidentAccountAsync(db, found.ResidentId, ct);
        var pool = await ledger.PoolAsync(db, found.CommunityId, ct);
        var rewardName = await db.Rewards.Unscoped(Because.DetailsOfARowInScope).Where(w => w.Id == found.RewardId).Select(w => w.Name).SingleAsync(ct);
        return await TimeBankLedger.InTransactionAsync(db, async () =>
        {
            // Only the update that finds it pending cancels it: two staff pressing at once refund once.
            var cancelled = await db.Redemptions.Where(x => x.Id == redemptionId && x.Status == RedemptionStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, RedemptionStatus.Cancelled)
                    .SetProperty(x => x.DecidedAt, clock.GetUtcNow())
                    .SetProperty(x => x.DecidedByAdminId, db.Scope.Value.AdminUserId), ct);
            if (cancelled == 0)
            {
                throw new ConflictException("只有待领取的兑换才能取消。");
            }

            // The conditional update bypasses the change tracker's audit; the ledger's save below writes this row with it.
            db.Audit("redemption.cancel", nameof(Redemption), redemptionId.ToString(System.Globalization.CultureInfo.InvariantCulture), new { found.Points, found.Quantity });

            await db.Rewards.Unscoped(Because.PointsMoveBetweenScopes).Where(x => x.Id == found.RewardId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Stock, x => x.Stock + found.Quantity), ct);
            var (refund, _) = await ledger.PostAsync(db, $"redeem-refund:{found.Id}", LedgerCategory.RedemptionRefund, found.CommunityId,
                $"取消兑换 {rewardName.Clip(60)} ×{found.Quantity}", db.Scope.Value.AdminUserId, [new Movement(pool.Id, -found.Points), new Movement(account.Id, found.Points)], ct);
            await db.Redemptions.Where(x => x.Id == redemptionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.RefundTransactionId, refund.Id), ct);
            return await db.Redemptions.AsNoTracking().SingleAsync(x => x.Id == redemptionId, ct);
        }, ct);
    }
}
