using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Billing;

/// <summary>A bill a run decided to issue: the household, the fee item and the amount it computed.</summary>
public readonly record struct NewBill(long HouseholdId, FeeItem Item, long AmountFen);

/// <summary>
/// Who may change a bill: this file, and nothing else. Billing issues bills; Payments moves them through
/// their life only by calling these methods:
/// <code>
/// issued Unpaid ──lock──▶ Unpaid, locked to one WeChat payment ──settle──▶ Paid
///                               └──────────release (order closed)──────────▶ Unpaid, free
/// Unpaid, free ──mark paid (cash, bank transfer)──▶ Paid
/// Paid ──reserve refund──▶ Paid with RefundedFen + n … ──▶ Refunded once all is back
///      ◀──return refund (WeChat refused)──
/// Unpaid, free ──void (staff, with a reason)──▶ Voided (no longer owed; never payable)
/// Unpaid, free ──adjust (staff, with a reason)──▶ Unpaid with another amount
/// </code>
/// Every step is one conditional UPDATE whose WHERE is the step's precondition, so duplicate callbacks,
/// racing residents and several instances cannot take a step twice; the answer says whether it was taken.
/// Callers own the transaction (a payment row and its bills change together) and decide who may act: the
/// ledger reads and writes through the caller's scope filters, exactly as the payment code did before it.
/// </summary>
public static class BillLedger
{
    /// <summary>Bills per INSERT statement: large enough to be fast, small enough for any max_allowed_packet.</summary>
    private const int RowsPerStatement = 1000;

    /// <summary>
    /// Issues bills with multi-row INSERTs that skip any (household, item, period) already billed: the unique
    /// key makes a second run — or two at once — create nothing twice. Raw SQL because EF cannot "insert or
    /// ignore"; every value still goes in through the column's own EF type mapping, converters included, so
    /// it reads back exactly as EF would have written it on either provider (on SQLite a DateTimeOffset
    /// written raw came back as the year 1).
    /// </summary>
    public static async Task IssueAsync(NeighbourHubDbContext db, BillingRun run, BillingPeriod period, IReadOnlyList<NewBill> bills, DateTimeOffset createdAt,
        CancellationToken ct)
    {
        var columns = db.Model.FindEntityType(typeof(Bill))!;
        RelationalTypeMapping Mapping(string property) => columns.FindProperty(property)!.GetRelationalTypeMapping();
        // Both providers skip duplicates; they only spell it differently. Asked of EF, never of the context's subclass (ADR 0001).
        var insert = db.Database.IsSqliteProvider() ? "INSERT OR IGNORE INTO Bills " : "INSERT IGNORE INTO Bills ";
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var chunk in bills.Chunk(RowsPerStatement))
            {
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                var sql = new StringBuilder(insert);
                sql.Append("(EstateId, HouseholdId, FeeItemId, Period, FeeItemName, AmountFen, DueDate, Status, RefundedFen, CreatedAt, BillingRunId) VALUES ");
                cmd.Parameters.Add(Mapping(nameof(Bill.Period)).CreateParameter(cmd, "@period", run.Period));
                cmd.Parameters.Add(Mapping(nameof(Bill.Status)).CreateParameter(cmd, "@unpaid", BillStatus.Unpaid));
                cmd.Parameters.Add(Mapping(nameof(Bill.CreatedAt)).CreateParameter(cmd, "@now", createdAt));
                foreach (var item in chunk.Select(b => b.Item).DistinctBy(i => i.Id))
                {
                    cmd.Parameters.Add(Mapping(nameof(Bill.FeeItemName)).CreateParameter(cmd, $"@n{item.Id}", item.Name));
                    cmd.Parameters.Add(Mapping(nameof(Bill.DueDate)).CreateParameter(cmd, $"@d{item.Id}", period.DueDate(item.DueDay)));
                }

                var inv = CultureInfo.InvariantCulture;
                for (var i = 0; i < chunk.Length; i++)
                {
                    var (household, item, amount) = chunk[i];
                    // Numbers are written inline (they are longs we computed); every other value goes in as a parameter.
                    sql.Append(i == 0 ? "" : ",").Append(inv, $"({run.EstateId},{household},{item.Id},@period,@n{item.Id},{amount},@d{item.Id},@unpaid,0,@now,{run.Id})");
                }

                cmd.CommandText = sql.ToString();
                cmd.CommandTimeout = 120;
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Locks every bill to one payment, or none: true when all of them were unpaid and free. On false some may be
    /// locked already, so this must run in the payment's transaction and the caller rolls back.
    /// </summary>
    public static async Task<bool> LockForPaymentAsync(NeighbourHubDbContext db, IReadOnlyCollection<long> billIds, long paymentId, CancellationToken ct)
    {
        RequireTransaction(db);
        var locked = await db.Bills.Where(b => billIds.Contains(b.Id) && b.Status == BillStatus.Unpaid && b.LockedByPaymentId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.LockedByPaymentId, paymentId), ct);
        return locked == billIds.Count;
    }

    /// <summary>The bills locked to a payment WeChat says is paid become paid by it (once: settled bills are no longer locked).</summary>
    public static Task<int> SettleAsync(NeighbourHubDbContext db, long paymentId, DateTimeOffset paidAt, CancellationToken ct) =>
        db.Bills.Where(b => b.LockedByPaymentId == paymentId && b.Status == BillStatus.Unpaid).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.Status, BillStatus.Paid).SetProperty(b => b.PaidAt, paidAt)
            .SetProperty(b => b.PaidByPaymentId, paymentId).SetProperty(b => b.LockedByPaymentId, (long?)null), ct);

    /// <summary>
    /// <see cref="SettleAsync"/> as MariaDB SQL, for the WeChat Pay callback's one-trip write
    /// (<see cref="Payments.PaymentService"/>). Parameters: <c>@payment</c>, <c>@paidAt</c>.
    /// </summary>
    internal const string SettleByPaymentSql = """
        UPDATE `Bills` SET `Status` = 'Paid', `PaidAt` = @paidAt, `PaidByPaymentId` = @payment, `LockedByPaymentId` = NULL
        WHERE `LockedByPaymentId` = @payment AND `Status` = 'Unpaid';
        """;

    /// <summary>Frees the bills of a payment that will never be paid (closed, refused by WeChat), so they can be paid again.</summary>
    public static Task<int> ReleaseAsync(NeighbourHubDbContext db, long paymentId, CancellationToken ct) =>
        db.Bills.Where(b => b.LockedByPaymentId == paymentId).ExecuteUpdateAsync(u => u.SetProperty(b => b.LockedByPaymentId, (long?)null), ct);

    /// <summary>
    /// Money received at the counter for several bills at once: all of them become paid by the payment, or none
    /// (the caller rolls back on false). Unpaid and not locked to a WeChat order, the same precondition the
    /// WeChat lock takes, so a bill a resident is paying online at that moment is never paid twice.
    /// </summary>
    public static async Task<bool> MarkPaidAsync(NeighbourHubDbContext db, IReadOnlyCollection<long> billIds, long paymentId, DateTimeOffset paidAt,
        CancellationToken ct)
    {
        RequireTransaction(db);
        var paid = await db.Bills.Where(b => billIds.Contains(b.Id) && b.Status == BillStatus.Unpaid && b.LockedByPaymentId == null).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.Status, BillStatus.Paid).SetProperty(b => b.PaidAt, paidAt).SetProperty(b => b.PaidByPaymentId, paymentId), ct);
        return paid == billIds.Count;
    }

    /// <summary>
    /// Staff void an unpaid bill nobody is paying (true), with the reason kept on it. A paid bill is refunded instead,
    /// and one locked to a WeChat order waits for it: the precondition is in the WHERE, so a payment racing in loses or wins whole.
    /// </summary>
    public static async Task<bool> VoidAsync(NeighbourHubDbContext db, long billId, string reason, DateTimeOffset at, CancellationToken ct) =>
        await db.Bills.Where(b => b.Id == billId && b.Status == BillStatus.Unpaid && b.LockedByPaymentId == null).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.Status, BillStatus.Voided).SetProperty(b => b.VoidedAt, at).SetProperty(b => b.StaffNote, reason), ct) == 1;

    /// <summary>
    /// Staff change the amount of an unpaid bill nobody is paying, from exactly <paramref name="fromFen"/> (what they saw)
    /// to <paramref name="toFen"/>; the first amount issued is kept. False when the bill moved on meanwhile. The kept amount is
    /// <paramref name="fromFen"/> (the WHERE guarantees it), never the column: MariaDB assigns SET left to right and EF
    /// does not promise the order, so reading AmountFen there could see the new value.
    /// </summary>
    public static async Task<bool> AdjustAsync(NeighbourHubDbContext db, long billId, long fromFen, long toFen, string reason, CancellationToken ct) =>
        await db.Bills.Where(b => b.Id == billId && b.Status == BillStatus.Unpaid && b.LockedByPaymentId == null && b.AmountFen == fromFen).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.OriginalAmountFen, b => b.OriginalAmountFen ?? fromFen).SetProperty(b => b.AmountFen, toFen)
            .SetProperty(b => b.StaffNote, reason), ct) == 1;

    /// <summary>
    /// Reserves a refund on a bill paid by <paramref name="paymentId"/>: true when the refunded total stays within the
    /// <paramref name="paidFen"/> that payment paid for it; the bill reads Refunded once all of it is back.
    /// </summary>
    public static async Task<bool> ReserveRefundAsync(NeighbourHubDbContext db, long billId, long paymentId, long amountFen, long paidFen, CancellationToken ct) =>
        await db.Bills.Where(b => b.Id == billId && b.PaidByPaymentId == paymentId && b.RefundedFen + amountFen <= paidFen)
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.RefundedFen, b => b.RefundedFen + amountFen)
                .SetProperty(b => b.Status, b => b.RefundedFen + amountFen == paidFen ? BillStatus.Refunded : BillStatus.Paid), ct) == 1;

    /// <summary>What can still be refunded of a bill of which <paramref name="paidFen"/> was paid.</summary>
    public static Task<long> RefundableFenAsync(NeighbourHubDbContext db, long billId, long paidFen, CancellationToken ct) =>
        db.Bills.Where(b => b.Id == billId).Select(b => paidFen - b.RefundedFen).SingleAsync(ct);

    /// <summary>Gives a reservation back when the refund failed; the caller makes sure it happens once (the refund's own state).</summary>
    public static Task<int> ReturnRefundAsync(NeighbourHubDbContext db, long billId, long amountFen, CancellationToken ct) =>
        db.Bills.Where(b => b.Id == billId).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.RefundedFen, b => b.RefundedFen - amountFen).SetProperty(b => b.Status, BillStatus.Paid), ct);

    private static void RequireTransaction(NeighbourHubDbContext db)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Lock bills inside the payment's transaction: a partial lock must roll back.");
        }
    }
}
