using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Payments;

public sealed record PaymentView(long PaymentId, string OutTradeNo, string Status, string Channel, long AmountFen, long RefundedFen, DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt, string? ReceiptNo, IReadOnlyList<long> BillIds);

public sealed record ReceiptLine(string Household, string FeeItem, string Period, long AmountFen, long RefundedFen);

/// <summary>
/// A printed receipt: the payer is the flat and its resident's masked name (never a staff account), the amount also in
/// Chinese capitals (<see cref="Billing.Money.Capitals"/>), with the firm serving the estate that day and the cashier's name.
/// </summary>
public sealed record ReceiptView(string ReceiptNo, string Estate, string Payer, string Channel, DateTimeOffset PaidAt, long AmountFen, long RefundedFen,
    string? TransactionId, string? OfflineReference, IReadOnlyList<ReceiptLine> Lines)
{
    public string AmountInCapitals => Billing.Money.Capitals(AmountFen);
    public string? Firm { get; init; }
    /// <summary>Who took the money: the staff member's display name, or 微信支付 for a resident's own payment.</summary>
    public string Cashier { get; init; } = "";
}

/// <summary>A payment in the staff list, with the flat it paid for.</summary>
public sealed record PaymentRow(long Id, string OutTradeNo, PaymentChannel Channel, long AmountFen, long RefundedFen, PaymentStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt, string? ReceiptNo, bool NeedsReview, string? ReviewNote, string Estate, string Household, string? OfflineReference, string? RecordedBy);

/// <summary>One estate's money on one Chinese day (日报), per channel, refunds and net, in fen.</summary>
public sealed record DailyCashRow(DateOnly Day, string Estate, long WeChatFen, int WeChatCount, long CashFen, int CashCount, long TransferFen, int TransferCount,
    long RefundFen, int RefundCount)
{
    public long CollectedFen => WeChatFen + CashFen + TransferFen;
    public long NetFen => CollectedFen - RefundFen;
}

/// <summary>A bill of a paid payment and how much of what it paid for that bill can still go back.</summary>
public sealed record RefundableBill(long PaymentId, long BillId, string FeeItem, string Period, long PaidFen, long RefundedFen)
{
    public long RefundableFen => PaidFen - RefundedFen;
}

/// <summary>Every read of payments, shared by the residents' API, the admin API and the console pages.</summary>
public static class PaymentQueries
{
    public static async Task<PaymentView?> ViewAsync(NeighbourHubDbContext db, long id, long? residentId, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && (residentId == null || x.ResidentId == residentId), ct);
        if (p is null)
        {
            return null;
        }

        var bills = await db.PaymentBills.AsNoTracking().Where(x => x.PaymentId == id).Select(x => x.BillId).ToListAsync(ct);
        return new PaymentView(p.Id, p.OutTradeNo, Payment.Wire(p.Status), Payment.Wire(p.Channel), p.AmountFen, p.RefundedFen, p.CreatedAt, p.PaidAt, p.ReceiptNo, bills);
    }

    /// <summary>The receipt of a collected payment (residents see their own, staff those of their estates).</summary>
    public static async Task<ReceiptView?> ReceiptAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && x.ReceiptNo != null, ct);
        if (p is null)
        {
            return null;
        }

        // The payment is visible, so is everything printed on its receipt, whatever the filters of those tables say.
        var estate = await db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(e => e.Id == p.EstateId).Select(e => e.Name).SingleAsync(ct);
        var lines = await (from pb in db.PaymentBills.Unscoped(Because.DetailsOfARowInScope)
                           where pb.PaymentId == id
                           join b in db.Bills.Unscoped(Because.DetailsOfARowInScope) on pb.BillId equals b.Id
                           join h in db.Households.Unscoped(Because.DetailsOfARowInScope) on b.HouseholdId equals h.Id
                           join bu in db.Buildings.Unscoped(Because.DetailsOfARowInScope) on h.BuildingId equals bu.Id
                           join u in db.Units.Unscoped(Because.DetailsOfARowInScope) on h.UnitId equals u.Id
                           orderby b.Period, b.Id
                           select new ReceiptLine(bu.Name + u.Name + h.Room, b.FeeItemName, b.Period, pb.AmountFen, b.RefundedFen)).ToListAsync(ct);
        // The payer is the flat (and who lives there, masked), never the staff member who typed it in.
        var households = await (from pb in db.PaymentBills.Unscoped(Because.DetailsOfARowInScope)
                                where pb.PaymentId == id
                                join b in db.Bills.Unscoped(Because.DetailsOfARowInScope) on pb.BillId equals b.Id
                                select b.HouseholdId).Distinct().ToListAsync(ct);
        var residences = await db.Residences.Unscoped(Because.DetailsOfARowInScope)
            .Where(x => households.Contains(x.HouseholdId) && x.Status == Residents.ResidenceStatus.Approved && (p.ResidentId == null || x.ResidentId == p.ResidentId))
            .OrderBy(x => x.Relation == Residents.ResidenceRelation.Owner ? 0 : 1).ThenBy(x => x.Id).Select(x => x.RealName).FirstOrDefaultAsync(ct);
        var addresses = string.Join("、", lines.Select(l => l.Household).Distinct());
        var payer = residences is { Length: > 0 } name ? $"{addresses} {NameMasking.Mask(name)}" : addresses;
        var paidDay = ChinaTime.DayOf(p.PaidAt!.Value);
        var firm = await (from c in db.EstateFirmContracts.Unscoped(Because.DetailsOfARowInScope).Where(c => c.EstateId == p.EstateId)
                              .Where(Organisation.EstateFirmContract.ActiveOn(paidDay))
                          join f in db.PropertyFirms on c.PropertyFirmId equals f.Id
                          select f.Name).FirstOrDefaultAsync(ct);
        var cashier = p.Channel == PaymentChannel.WeChat
            ? "微信支付（住户自助缴费）"
            : await db.Users.Where(u => u.UserName == p.RecordedBy).Select(u => u.DisplayName == "" ? u.UserName : u.DisplayName).FirstOrDefaultAsync(ct) ?? "物业前台";
        return new ReceiptView(p.ReceiptNo!, estate, payer, Payment.Wire(p.Channel), p.PaidAt!.Value, p.AmountFen, p.RefundedFen, p.TransactionId, p.OfflineReference, lines)
        {
            Firm = firm,
            Cashier = cashier,
        };
    }

    /// <summary>
    /// A page (<paramref name="pageIndex"/> from 0) of payments for staff, newest first; <paramref name="reviewOnly"/>: those flagged for a
    /// person to look at. Paged by the database; the flat of each row is looked up for the page only.
    /// </summary>
    public static async Task<Paged<PaymentRow>> StaffPageAsync(NeighbourHubDbContext db, PaymentStatus? status, bool reviewOnly, long? estateId, int pageIndex,
        int pageSize, CancellationToken ct)
    {
        var query = db.Payments.AsNoTracking();
        if (status is { } st)
        {
            query = query.Where(p => p.Status == st);
        }

        if (reviewOnly)
        {
            query = query.Where(p => p.NeedsReview);
        }

        if (estateId is { } e)
        {
            query = query.Where(p => p.EstateId == e);
        }

        var total = await query.LongCountAsync(ct);
        var page = await query.OrderByDescending(p => p.Id).Skip(pageIndex * pageSize).Take(pageSize).ToListAsync(ct);
        return new Paged<PaymentRow>(await RowsAsync(db, page, ct), pageIndex + 1, pageSize, total);
    }

    private static async Task<List<PaymentRow>> RowsAsync(NeighbourHubDbContext db, List<Payment> payments, CancellationToken ct)
    {
        var ids = payments.Select(p => p.Id).ToList();
        var flats = (await (from pb in db.PaymentBills.Unscoped(Because.DetailsOfARowInScope)
                            where ids.Contains(pb.PaymentId)
                            join b in db.Bills.Unscoped(Because.DetailsOfARowInScope) on pb.BillId equals b.Id
                            join h in db.Households.Unscoped(Because.DetailsOfARowInScope) on b.HouseholdId equals h.Id
                            join bu in db.Buildings.Unscoped(Because.DetailsOfARowInScope) on h.BuildingId equals bu.Id
                            join u in db.Units.Unscoped(Because.DetailsOfARowInScope) on h.UnitId equals u.Id
                            select new { pb.PaymentId, Address = bu.Name + u.Name + h.Room }).ToListAsync(ct))
            .GroupBy(x => x.PaymentId).ToDictionary(g => g.Key, g => string.Join("、", g.Select(x => x.Address).Distinct()));
        var estateIds = payments.Select(p => p.EstateId).Distinct().ToList();
        var estates = await db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(x => estateIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        return payments.Select(p => new PaymentRow(p.Id, p.OutTradeNo, p.Channel, p.AmountFen, p.RefundedFen, p.Status, p.CreatedAt, p.PaidAt, p.ReceiptNo, p.NeedsReview,
            p.ReviewNote, estates.GetValueOrDefault(p.EstateId, ""), flats.GetValueOrDefault(p.Id, ""), p.OfflineReference, p.RecordedBy)).ToList();
    }

    /// <summary>Payments collected between two Chinese days (inclusive), newest first, for the Excel export (at most 50,000 rows).</summary>
    public static async Task<List<PaymentRow>> CollectedAsync(NeighbourHubDbContext db, DateOnly from, DateOnly to, long? estateId, CancellationToken ct)
    {
        var (start, end) = (ChinaTime.StartOf(from), ChinaTime.StartOf(to.AddDays(1)));
        var query = db.Payments.AsNoTracking().Where(p => p.PaidAt >= start && p.PaidAt < end);
        if (estateId is { } e)
        {
            query = query.Where(p => p.EstateId == e);
        }

        var rows = new List<PaymentRow>();
        foreach (var chunk in (await query.OrderByDescending(p => p.PaidAt).Take(50_000).ToListAsync(ct)).Chunk(1000))
        {
            rows.AddRange(await RowsAsync(db, chunk.ToList(), ct));
        }

        return rows;
    }

    /// <summary>
    /// 收款日报: per Chinese day and estate, what came in by channel (WeChat Pay, cash, bank transfer), what went back
    /// (refunds that succeeded, on the day they did) and the net. One small row per payment is read through the
    /// (EstateId, PaidAt) index and cut into Beijing days here: the two databases spell date arithmetic differently.
    /// </summary>
    public static async Task<List<DailyCashRow>> DailyReportAsync(NeighbourHubDbContext db, DateOnly from, DateOnly to, long? estateId, CancellationToken ct)
    {
        var (start, end) = (ChinaTime.StartOf(from), ChinaTime.StartOf(to.AddDays(1)));
        var paid = db.Payments.AsNoTracking().Where(p => p.PaidAt >= start && p.PaidAt < end);
        var refunds = from r in db.Refunds.AsNoTracking()
                      where r.Status == RefundStatus.Succeeded && r.CompletedAt >= start && r.CompletedAt < end
                      join p in db.Payments on r.PaymentId equals p.Id
                      select new { p.EstateId, At = r.CompletedAt!.Value, r.AmountFen };
        if (estateId is { } e)
        {
            paid = paid.Where(p => p.EstateId == e);
            refunds = refunds.Where(r => r.EstateId == e);
        }

        var money = await paid.Select(p => new { p.EstateId, At = p.PaidAt!.Value, p.Channel, p.AmountFen }).ToListAsync(ct);
        var back = await refunds.ToListAsync(ct);
        var estateIds = money.Select(m => m.EstateId).Concat(back.Select(b => b.EstateId)).Distinct().ToList();
        var names = await db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(x => estateIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var keys = money.Select(m => (Day: ChinaTime.DayOf(m.At), m.EstateId)).Concat(back.Select(b => (Day: ChinaTime.DayOf(b.At), b.EstateId))).Distinct();
        var byKey = money.ToLookup(m => (ChinaTime.DayOf(m.At), m.EstateId));
        var backByKey = back.ToLookup(b => (ChinaTime.DayOf(b.At), b.EstateId));
        return keys.Select(k =>
            {
                var m = byKey[k].ToList();
                var r = backByKey[k].ToList();
                long Fen(PaymentChannel c) => m.Where(x => x.Channel == c).Sum(x => x.AmountFen);
                int Count(PaymentChannel c) => m.Count(x => x.Channel == c);
                return new DailyCashRow(k.Day, names.GetValueOrDefault(k.EstateId, ""), Fen(PaymentChannel.WeChat), Count(PaymentChannel.WeChat),
                    Fen(PaymentChannel.Cash), Count(PaymentChannel.Cash), Fen(PaymentChannel.BankTransfer), Count(PaymentChannel.BankTransfer),
                    r.Sum(x => x.AmountFen), r.Count);
            })
            .OrderByDescending(x => x.Day).ThenBy(x => x.Estate, StringComparer.Ordinal).ToList();
    }

    /// <summary>The latest 200 payments for staff, newest first; <paramref name="reviewOnly"/>: those flagged for a person to look at.</summary>
    public static Task<List<Payment>> StaffListAsync(NeighbourHubDbContext db, PaymentStatus? status, bool reviewOnly, CancellationToken ct) =>
        db.Payments.AsNoTracking().Where(p => (status == null || p.Status == status) && (!reviewOnly || p.NeedsReview))
            .OrderByDescending(p => p.Id).Take(200).ToListAsync(ct);

    /// <summary>The bills of these payments with what each payment paid for them, for the refund form.</summary>
    public static Task<List<RefundableBill>> RefundableBillsAsync(NeighbourHubDbContext db, IReadOnlyCollection<long> paymentIds, CancellationToken ct) =>
        (from pb in db.PaymentBills
         where paymentIds.Contains(pb.PaymentId)
         join b in db.Bills on pb.BillId equals b.Id
         select new RefundableBill(pb.PaymentId, b.Id, b.FeeItemName, b.Period, pb.AmountFen, b.RefundedFen)).ToListAsync(ct);
}
