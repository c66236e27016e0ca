using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The office's billing desk (MariaDB): voiding and adjusting one bill (audited, refused once paid), one counter payment for
/// several bills and its race with a WeChat order, refund refusals in Chinese and 元, and the 合计 of a whole filter.
/// </summary>
public sealed class BillDeskTests(AppFixture fixture) : AppTest(fixture)
{
    /// <summary>Two fee items billed to TestOrg's four A1 households for each month given (due the 15th, so overdue now).</summary>
    private async Task<HttpClient> BilledAsync(params string[] periods)
    {
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "物业费", kind = "perAreaMonthly", unitPriceFen = 250, effectiveFrom = "2026-01-01" });
        await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "车位费", kind = "fixedMonthly", unitPriceFen = 15000, effectiveFrom = "2026-01-01" });
        foreach (var period in periods)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period })).StatusCode);
        }

        return admin;
    }

    private async Task<List<Bill>> BillsOfAsync(long householdId, string period)
    {
        await using var db = App.SystemDb();
        return await db.Bills.AsNoTracking().Where(b => b.HouseholdId == householdId && b.Period == period).OrderBy(b => b.Id).ToListAsync();
    }

    private static async Task<HttpResponseMessage> PayAsync(HttpClient resident, IEnumerable<long> billIds)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return await resident.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetRawText();

    [Fact]
    public async Task Voiding_and_adjusting_are_audited_leave_the_arrears_and_are_refused_once_paid()
    {
        var admin = await BilledAsync("2026-11");
        var bills = await BillsOfAsync(Org.HouseholdsA1[0], "2026-11");
        var (fee, parking) = (bills.Single(b => b.FeeItemName == "物业费"), bills.Single(b => b.FeeItemName == "车位费"));
        Assert.Equal(8, (await Json(await admin.GetAsync($"/api/v1/admin/billing/arrears?estateId={Org.EstateA1}"))).GetArrayLength());

        // Adjust: a new amount with a reason, in fen as every amount of the API.
        var noReason = await admin.PostAsJsonAsync($"/api/v1/admin/bills/{fee.Id}/adjust", new { amountFen = 18000 });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("调整原因", await DetailAsync(noReason), StringComparison.Ordinal);
        var adjusted = await Json(await admin.PostAsJsonAsync($"/api/v1/admin/bills/{fee.Id}/adjust", new { amountFen = 18000, reason = "面积复核为 72 ㎡" }));
        Assert.Equal(18000, adjusted.GetProperty("amountFen").GetInt64());

        // Void: needs a reason; then it is not owed, not in the arrears, and nobody can pay it.
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/v1/admin/bills/{parking.Id}/void", new { reason = " " })).StatusCode);
        var voided = await Json(await admin.PostAsJsonAsync($"/api/v1/admin/bills/{parking.Id}/void", new { reason = "该户无车位，误开" }));
        Assert.Equal("voided", voided.GetProperty("status").GetString());
        var arrears = await Json(await admin.GetAsync($"/api/v1/admin/billing/arrears?estateId={Org.EstateA1}"));
        Assert.Equal(7, arrears.GetArrayLength());
        Assert.DoesNotContain(arrears.EnumerateArray(), a => a.GetProperty("billId").GetInt64() == parking.Id);
        var again = await admin.PostAsJsonAsync($"/api/v1/admin/bills/{parking.Id}/void", new { reason = "再次" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("已作废", await DetailAsync(again), StringComparison.Ordinal);

        var (resident, _) = await VerifiedResidentAsync("wx-desk-void", Org.HouseholdsA1[0]);
        var payVoided = await PayAsync(resident, [parking.Id]);
        Assert.Equal(HttpStatusCode.Conflict, payVoided.StatusCode);
        Assert.Contains("作废", await DetailAsync(payVoided), StringComparison.Ordinal);
        var counterVoided = await admin.PostAsJsonAsync("/api/v1/admin/offline-payments", new { billIds = new[] { parking.Id }, channel = "cash", reference = "现金 1" });
        Assert.Equal(HttpStatusCode.Conflict, counterVoided.StatusCode);
        Assert.Contains("已作废", await DetailAsync(counterVoided), StringComparison.Ordinal);

        // Paid: neither voided nor adjusted — refunded instead, and the refusal says so.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/bills/{fee.Id}/offline-payment", new { channel = "cash", reference = "现金 2" })).StatusCode);
        var voidPaid = await admin.PostAsJsonAsync($"/api/v1/admin/bills/{fee.Id}/void", new { reason = "误开" });
        Assert.Equal(HttpStatusCode.Conflict, voidPaid.StatusCode);
        Assert.Contains("退款", await DetailAsync(voidPaid), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/v1/admin/bills/{fee.Id}/adjust", new { amountFen = 100, reason = "误开" })).StatusCode);

        // Another community's staff: not found, nothing changed.
        var adminB = await App.AdminClientAsync("adminB");
        var other = (await BillsOfAsync(Org.HouseholdsA1[1], "2026-11"))[0];
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/admin/bills/{other.Id}/void", new { reason = "越权" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/admin/bills/{other.Id}/adjust", new { amountFen = 1, reason = "越权" })).StatusCode);

        await using var db = App.SystemDb();
        Assert.Equal(BillStatus.Unpaid, (await db.Bills.SingleAsync(b => b.Id == other.Id)).Status);
        var stored = await db.Bills.SingleAsync(b => b.Id == fee.Id);
        Assert.Equal((18000L, (long?)fee.AmountFen, "面积复核为 72 ㎡"), (stored.AmountFen, stored.OriginalAmountFen, stored.StaffNote));
        var voidedBill = await db.Bills.SingleAsync(b => b.Id == parking.Id);
        Assert.Equal((BillStatus.Voided, "该户无车位，误开"), (voidedBill.Status, voidedBill.StaffNote));
        Assert.NotNull(voidedBill.VoidedAt);

        // Who, when, why, before and after: one audit row per step that happened, none for the refusals.
        var audits = await db.AuditLogs.Where(a => a.EntityType == nameof(Bill)).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["bill.adjust", "bill.void"], audits.Select(a => a.Action));
        Assert.All(audits, a => Assert.Equal("adminA", a.ActorName));
        Assert.All(audits, a => Assert.InRange(a.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Contains($"\"amountFen\":{fee.AmountFen}", audits[0].Before, StringComparison.Ordinal);
        Assert.Contains("\"amountFen\":18000", audits[0].After, StringComparison.Ordinal);
        Assert.Contains("面积复核为 72 ㎡", audits[0].After, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Unpaid\"", audits[1].Before, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Voided\"", audits[1].After, StringComparison.Ordinal);
        Assert.Equal(parking.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), audits[1].EntityId);

        // A voided bill is not owed: the collection rate neither bills nor collects it.
        var collection = await Json(await admin.GetAsync($"/api/v1/admin/billing/collection?estateId={Org.EstateA1}&period=2026-11"));
        Assert.Equal(7, collection[0].GetProperty("bills").GetInt32());
    }

    [Fact]
    public async Task One_counter_payment_collects_several_bills_of_a_household_with_one_receipt()
    {
        var admin = await BilledAsync("2026-10", "2026-11");
        var bills = (await BillsOfAsync(Org.HouseholdsA1[0], "2026-10")).Concat(await BillsOfAsync(Org.HouseholdsA1[0], "2026-11")).ToList();
        var (_, _) = await VerifiedResidentAsync("wx-desk-counter", Org.HouseholdsA1[0]); // approved as 张三, owner

        var mixed = await admin.PostAsJsonAsync("/api/v1/admin/offline-payments", new
        {
            billIds = new[] { bills[0].Id, (await BillsOfAsync(Org.HouseholdsA1[1], "2026-11"))[0].Id },
            channel = "cash",
            reference = "现金 3",
        });
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        Assert.Contains("同一户", await DetailAsync(mixed), StringComparison.Ordinal);

        var paid = await Json(await admin.PostAsJsonAsync("/api/v1/admin/offline-payments", new { billIds = bills.Select(b => b.Id), channel = "bankTransfer", reference = "转账 20261130-01" }));
        var paymentId = paid.GetProperty("paymentId").GetInt64();
        Assert.Equal(bills.Sum(b => b.AmountFen), paid.GetProperty("amountFen").GetInt64());
        await using (var db = App.SystemDb())
        {
            var stored = await db.Bills.Where(b => bills.Select(x => x.Id).Contains(b.Id)).ToListAsync();
            Assert.All(stored, b => Assert.Equal((BillStatus.Paid, (long?)paymentId), (b.Status, b.PaidByPaymentId)));
            Assert.Equal(4, await db.PaymentBills.CountAsync(pb => pb.PaymentId == paymentId));
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Topic == PaymentService.CollectedTopic && m.Key == $"payment:{paymentId}"));
        }

        // The receipt: every bill, the flat and its resident (masked) as payer, never the staff account; 大写; firm; cashier.
        var receipt = await Json(await admin.GetAsync($"/api/v1/admin/payments/{paymentId}/receipt"));
        Assert.Equal(4, receipt.GetProperty("lines").GetArrayLength());
        var payer = receipt.GetProperty("payer").GetString()!;
        Assert.Contains("张*", payer, StringComparison.Ordinal);
        Assert.DoesNotContain("adminA", payer, StringComparison.Ordinal);
        Assert.DoesNotContain("经办", payer, StringComparison.Ordinal);
        Assert.Equal(Money.Capitals(bills.Sum(b => b.AmountFen)), receipt.GetProperty("amountInCapitals").GetString());
        Assert.False(string.IsNullOrEmpty(receipt.GetProperty("cashier").GetString()));
        Assert.Equal("测试物业", receipt.GetProperty("firm").GetString());

        // Paid bills cannot be collected again, whichever door.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/admin/offline-payments", new { billIds = new[] { bills[0].Id }, channel = "cash", reference = "现金 4" })).StatusCode);
    }

    /// <summary>
    /// The counter and a resident's WeChat order reach for the same bills at the same moment, again and again: each time at
    /// most one of them gets them, and once the WeChat callback lands no bill is paid by two payments.
    /// </summary>
    [Fact]
    public async Task A_counter_payment_racing_a_WeChat_order_never_pays_a_bill_twice()
    {
        var periods = Enumerable.Range(1, 8).Select(m => $"2026-{m:D2}").ToArray();
        var admin = await BilledAsync(periods);
        var (resident, _) = await VerifiedResidentAsync("wx-desk-race", Org.HouseholdsA1[1]);
        var (wechatWins, counterWins) = (0, 0);
        foreach (var period in periods)
        {
            var ids = (await BillsOfAsync(Org.HouseholdsA1[1], period)).Select(b => b.Id).ToList();
            var online = PayAsync(resident, ids);
            var counter = admin.PostAsJsonAsync("/api/v1/admin/offline-payments", new { billIds = ids, channel = "cash", reference = $"现金 {period}" });
            await Task.WhenAll(online, counter);
            var (o, c) = (await online, await counter);
            Assert.False(o.IsSuccessStatusCode && c.IsSuccessStatusCode, $"{period}: both the WeChat order and the counter took the bills");
            Assert.True(o.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{period}: WeChat answered {o.StatusCode}");
            Assert.True(c.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{period}: counter answered {c.StatusCode}");
            if (o.IsSuccessStatusCode)
            {
                wechatWins++;
                var outTradeNo = (await Json(o)).GetProperty("outTradeNo").GetString()!;
                Pay.Pay(outTradeNo);
                Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.PaymentCallback(outTradeNo))).StatusCode);
            }
            else if (c.IsSuccessStatusCode)
            {
                counterWins++;
            }
        }

        await using var db = App.SystemDb();
        // Every bill paid at most once: one paid payment per bill, and its PaidBy is that payment.
        var shares = await (from pb in db.PaymentBills
                            join p in db.Payments on pb.PaymentId equals p.Id
                            where p.Status == PaymentStatus.Paid
                            select new { pb.BillId, pb.PaymentId }).ToListAsync();
        Assert.All(shares.GroupBy(s => s.BillId), g => Assert.Single(g));
        var bills = await db.Bills.Where(b => b.HouseholdId == Org.HouseholdsA1[1]).ToListAsync();
        Assert.All(bills.Where(b => b.Status == BillStatus.Paid), b => Assert.Equal(shares.Single(s => s.BillId == b.Id).PaymentId, b.PaidByPaymentId));
        Assert.Equal(2 * (wechatWins + counterWins), bills.Count(b => b.Status == BillStatus.Paid));
        Assert.Equal(bills.Where(b => b.Status == BillStatus.Paid).Sum(b => b.AmountFen),
            await db.Payments.Where(p => p.Status == PaymentStatus.Paid).SumAsync(p => p.AmountFen));
        Assert.True(wechatWins + counterWins >= periods.Length - 1, $"only {wechatWins} + {counterWins} of {periods.Length} races had a winner");
    }

    [Fact]
    public async Task A_refund_beyond_what_is_left_is_refused_in_Chinese_and_in_yuan()
    {
        var admin = await BilledAsync("2026-11");
        var bill = (await BillsOfAsync(Org.HouseholdsA1[2], "2026-11")).Single(b => b.FeeItemName == "车位费");
        var paymentId = (await Json(await admin.PostAsJsonAsync($"/api/v1/admin/bills/{bill.Id}/offline-payment", new { channel = "cash", reference = "现金 5" })))
            .GetProperty("paymentId").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId = bill.Id, amountFen = 1000, reason = "多收" })).StatusCode);

        var tooMuch = await admin.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId = bill.Id, amountFen = 15000, reason = "全退" });
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        var problem = await Json(tooMuch);
        var text = problem.GetRawText();
        Assert.Contains("最多还能退 140.00 元", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fen", text.Replace("amountFen", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("At most", text, StringComparison.Ordinal);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.GetProperty("title").GetString()!);

        var zero = await admin.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId = bill.Id, amountFen = 0, reason = "零" });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("退款金额必须大于 0", await DetailAsync(zero), StringComparison.Ordinal);
    }

    /// <summary>The 合计 of 账单与欠费 is the database's sum over the whole filter, whatever page is shown.</summary>
    [Fact]
    public async Task The_bill_list_totals_the_whole_filter_not_the_page()
    {
        await BilledAsync("2026-09", "2026-10", "2026-11");
        var today = App.Services.GetRequiredService<TimeProvider>().Today(); // the app's own Beijing calendar
        await using var db = App.SystemDb();
        var all = await db.Bills.Where(b => b.EstateId == Org.EstateA1).ToListAsync();
        var page = await BillingQueries.StaffBillPageAsync(db, Org.EstateA1, null, BillFilter.Overdue, null, today, 1, 5, default);
        Assert.Equal(5, page.Items.Count);
        Assert.Equal(all.Count(b => b.DueDate < today), page.Total);
        Assert.Equal(all.Where(b => b.DueDate < today).Sum(b => b.AmountFen), page.TotalFen);
        Assert.True(page.TotalFen > page.Items.Sum(r => r.AmountFen));
        // Ordered oldest due first across pages: page 2 (index 1) follows page 1.
        var first = await BillingQueries.StaffBillPageAsync(db, Org.EstateA1, null, BillFilter.Overdue, null, today, 0, 5, default);
        Assert.True(first.Items[^1].DueDate <= page.Items[0].DueDate);
        Assert.Empty(first.Items.Select(r => r.Id).Intersect(page.Items.Select(r => r.Id)));

        var building = await db.Households.Where(h => h.Id == Org.HouseholdsA1[0]).Select(h => h.BuildingId).SingleAsync();
        var inBuilding = (from b in all join h in db.Households.ToList() on b.HouseholdId equals h.Id where h.BuildingId == building select b).ToList();
        var byBuilding = await BillingQueries.StaffBillPageAsync(db, Org.EstateA1, building, null, null, today, 0, 100, default);
        Assert.Equal((inBuilding.Count, inBuilding.Sum(b => b.AmountFen)), ((int)byBuilding.Total, byBuilding.TotalFen));
        Assert.Equal(BillFilter.Overdue, BillFilter.Parse("OVERDUE"));
        Assert.Null(BillFilter.Parse("owed"));
    }
}
