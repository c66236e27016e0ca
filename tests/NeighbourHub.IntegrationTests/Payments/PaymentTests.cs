using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.IntegrationTests;

/// <summary>物业缴费 over real HTTP against a fake WeChat Pay that signs and encrypts like WeChat, on MariaDB.</summary>
public sealed class PaymentTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task<(HttpClient Resident, long ResidentId, List<JsonElement> Bills)> BilledResidentAsync(string code, int householdIndex = 0)
    {
        var admin = await App.AdminClientAsync("adminA");
        var item = await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new
        {
            estateId = Org.EstateA1,
            name = "物业费",
            kind = "perAreaMonthly",
            unitPriceFen = 250,
            effectiveFrom = "2026-01-01",
            dueDay = 15,
        });
        Assert.True(item.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict);
        await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "车位费", kind = "fixedMonthly", unitPriceFen = 15000, effectiveFrom = "2026-01-01" });
        var run = await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" }));
        var (resident, id) = await VerifiedResidentAsync(code, Org.HouseholdsA1[householdIndex]);
        var bills = (await Json(await resident.GetAsync("/api/v1/bills?status=unpaid"))).EnumerateArray().ToList();
        Assert.Equal(2, bills.Count);
        return (resident, id, bills);
    }

    private static async Task<HttpResponseMessage> PayAsync(HttpClient resident, IEnumerable<long> billIds, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await resident.SendAsync(request);
    }

    [Fact]
    public async Task A_bill_run_is_idempotent_and_rounds_per_square_metre_fees_half_up()
    {
        var admin = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/admin/fee-items",
            new { estateId = Org.EstateA1, name = "物业费", kind = "perAreaMonthly", unitPriceFen = 235, effectiveFrom = "2026-01-01" })).StatusCode);
        var first = await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" }));
        Assert.Equal(4, first.GetProperty("billsCreated").GetInt32());
        // TestOrg areas are 81.5, 82.5, 83.5, 84.5 m²: 2.35 × 81.5 = 191.525 → 191.53 元, and so on, half-up.
        Assert.Equal(19153 + 19388 + 19623 + 19858, first.GetProperty("totalFen").GetInt64());

        var again = await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" }));
        Assert.Equal(0, again.GetProperty("billsCreated").GetInt32());
        Assert.Contains("没有新账单", again.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Two runs at once still make one bill per household.
        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-12" })));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var db = App.SystemDb();
        Assert.Equal(4, await db.Bills.CountAsync(b => b.Period == "2026-12"));

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-13" })).StatusCode);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" })).StatusCode);
    }

    [Fact]
    public async Task Exempt_households_are_not_billed_and_an_ended_item_stops_billing()
    {
        var admin = await App.AdminClientAsync("firmF");
        var item = await Json(await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "垃圾清运费", kind = "fixedMonthly", unitPriceFen = 1000, effectiveFrom = "2026-01-01" }));
        var id = item.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/exemptions", new { householdId = Org.HouseholdsA1[1], reason = "物业用房" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/exemptions", new { householdId = Org.HouseholdsB1[0] })).StatusCode);
        var run = await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" }));
        Assert.Equal((3, 3000L), (run.GetProperty("billsCreated").GetInt32(), run.GetProperty("totalFen").GetInt64()));

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/end", new { effectiveTo = "2025-12-31" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/end", new { effectiveTo = "2026-11-30" })).StatusCode);
        var december = await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-12" }));
        Assert.Equal(0, december.GetProperty("billsCreated").GetInt32());
        Assert.Contains("没有适用的收费项目", december.GetProperty("message").GetString(), StringComparison.Ordinal);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/end", new { effectiveTo = "2026-12-31" })).StatusCode);
    }

    [Fact]
    public async Task Arrears_are_listed_and_reminders_go_once_a_day_to_verified_residents()
    {
        var (_, residentId, bills) = await BilledResidentAsync("wx-pay-arrears"); // due 2026-11-15, so overdue from the 16th
        var admin = await App.AdminClientAsync("adminA");
        var arrears = await Json(await admin.GetAsync($"/api/v1/admin/billing/arrears?estateId={Org.EstateA1}"));
        Assert.Equal(8, arrears.GetArrayLength()); // four households × two items
        Assert.All(arrears.EnumerateArray(), a => Assert.True(a.GetProperty("daysOverdue").GetInt32() > 0));
        var xlsx = await admin.GetAsync($"/admin/files/billing/arrears.xlsx?estateId={Org.EstateA1}");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);

        Assert.Equal(1, (await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/reminders", new { estateId = Org.EstateA1 }))).GetProperty("reminded").GetInt32());
        Assert.Equal(0, (await Json(await admin.PostAsJsonAsync("/api/v1/admin/billing/reminders", new { estateId = Org.EstateA1 }))).GetProperty("reminded").GetInt32());
        await using var db = App.SystemDb();
        var message = Assert.Single(await db.OutboxMessages.Where(m => m.Key.StartsWith("bill.overdue:")).ToListAsync());
        Assert.Contains($"\"residentId\":{residentId}", message.Payload, StringComparison.Ordinal);
        Assert.Contains(bills.Sum(b => b.GetProperty("amountFen").GetInt64()) / 100 + ".", message.Payload, StringComparison.Ordinal);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync("/api/v1/admin/billing/reminders", new { estateId = Org.EstateA1 })).StatusCode);
    }

    [Fact]
    public async Task A_payment_whose_first_request_died_before_ordering_is_ordered_again_by_its_retry()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-resume");
        var ids = bills.Select(b => b.GetProperty("id").GetInt64()).ToList();
        var first = await Json(await PayAsync(resident, ids, "resume-1"));
        var outTradeNo = first.GetProperty("outTradeNo").GetString()!;

        // As if the instance died after locking the bills and before keeping WeChat's answer.
        await using (var db = App.SystemDb())
        {
            await db.Payments.Where(p => p.OutTradeNo == outTradeNo).ExecuteUpdateAsync(u => u
                .SetProperty(p => p.PayParamsJson, (string?)null).SetProperty(p => p.PrepayId, (string?)null));
        }

        var retry = await PayAsync(resident, ids, "resume-1");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var resumed = await Json(retry);
        Assert.Equal(outTradeNo, resumed.GetProperty("outTradeNo").GetString());
        Assert.StartsWith("prepay_id=", resumed.GetProperty("payParams").GetProperty("package").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Pay.Orders.Count(o => o.Value.Request.Payer.Openid == "o-pay-resume"));
        await using (var db = App.SystemDb())
        {
            Assert.NotNull(await db.Payments.Where(p => p.OutTradeNo == outTradeNo).Select(p => p.PayParamsJson).SingleAsync());
        }
    }

    [Fact]
    public async Task Pay_with_a_signed_order_a_verified_callback_and_a_receipt()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-happy");
        var ids = bills.Select(b => b.GetProperty("id").GetInt64()).ToList();
        var total = bills.Sum(b => b.GetProperty("amountFen").GetInt64());

        var created = await PayAsync(resident, ids, "key-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json(created);
        Assert.Equal(total, body.GetProperty("amountFen").GetInt64());
        var outTradeNo = body.GetProperty("outTradeNo").GetString()!;
        var order = Pay.Orders[outTradeNo].Request;
        Assert.Equal(total, order.Amount.Total);
        Assert.Equal("o-pay-happy", order.Payer.Openid);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", order.TimeExpire);

        // paySign verifies with the merchant's public key over appId\ntimeStamp\nnonceStr\npackage\n.
        var p = body.GetProperty("payParams");
        Assert.Equal("RSA", p.GetProperty("signType").GetString());
        Assert.StartsWith("prepay_id=", p.GetProperty("package").GetString(), StringComparison.Ordinal);
        Assert.True(WeChatPayCrypto.Verify(Pay.MerchantKey, $"{FakeWeChatPayServer.AppId}\n{p.GetProperty("timeStamp").GetString()}\n{p.GetProperty("nonceStr").GetString()}\n{p.GetProperty("package").GetString()}\n",
            p.GetProperty("paySign").GetString()!));

        // A replayed key answers the first answer; no second order.
        var replay = await Json(await PayAsync(resident, ids, "key-1"));
        Assert.Equal(body.GetRawText(), replay.GetRawText());
        Assert.Equal(HttpStatusCode.Conflict, (await PayAsync(resident, ids.Take(1), "key-1")).StatusCode);
        Assert.Single(Pay.Orders.Keys, k => k == outTradeNo);
        Assert.Equal(1, Pay.Orders.Count(o => o.Value.Request.Payer.Openid == "o-pay-happy"));

        var paymentId = body.GetProperty("paymentId").GetInt64();
        Assert.Equal("pending", (await Json(await resident.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());
        Pay.Pay(outTradeNo);
        var delivered = await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.PaymentCallback(outTradeNo));
        Assert.Equal(HttpStatusCode.NoContent, delivered.StatusCode);

        var paid = await Json(await resident.GetAsync($"/api/v1/payments/{paymentId}"));
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.Empty((await Json(await resident.GetAsync("/api/v1/bills?status=unpaid"))).EnumerateArray());
        var receipt = await Json(await resident.GetAsync($"/api/v1/payments/{paymentId}/receipt"));
        Assert.StartsWith("NH-", receipt.GetProperty("receiptNo").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, receipt.GetProperty("lines").GetArrayLength());
        Assert.Equal(total, receipt.GetProperty("amountFen").GetInt64());

        await using var db = App.SystemDb();
        var collected = await db.OutboxMessages.Where(m => m.Topic == PaymentService.CollectedTopic).ToListAsync();
        var message = Assert.Single(collected);
        Assert.Contains($"\"amountFen\":{total}", message.Payload, StringComparison.Ordinal);

        // Paying again is a conflict; a stranger cannot see or pay these bills.
        Assert.Equal(HttpStatusCode.Conflict, (await PayAsync(resident, ids)).StatusCode);
        var stranger = await App.ResidentClientAsync("wx-pay-stranger");
        Assert.Equal(HttpStatusCode.NotFound, (await PayAsync(stranger, ids)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/payments/{paymentId}/receipt")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.PostAsJsonAsync("/api/v1/payments", new { billIds = ids })).StatusCode); // no key
        Assert.Equal(HttpStatusCode.BadRequest, (await resident.GetAsync("/api/v1/bills?status=owed")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PayAsync(resident, [])).StatusCode);
    }

    [Fact]
    public async Task Every_bad_callback_changes_nothing_and_a_wrong_amount_is_flagged()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-bad");
        var body = await Json(await PayAsync(resident, bills.Select(b => b.GetProperty("id").GetInt64())));
        var outTradeNo = body.GetProperty("outTradeNo").GetString()!;
        var paymentId = body.GetProperty("paymentId").GetInt64();
        Pay.Pay(outTradeNo);
        using var stranger = RSA.Create(2048);
        var client = App.CreateClient();

        var cases = new (string Name, (SignatureHeaders, string) Callback, HttpStatusCode Expected)[]
        {
            ("forged", Pay.PaymentCallback(outTradeNo, signWith: stranger), HttpStatusCode.Unauthorized),
            ("stale", Pay.PaymentCallback(outTradeNo, age: TimeSpan.FromMinutes(5)), HttpStatusCode.Unauthorized),
            ("probe", Pay.PaymentCallback(outTradeNo, probe: true), HttpStatusCode.Unauthorized),
            ("unknown serial", Pay.PaymentCallback(outTradeNo, serial: "PUB_KEY_ID_SOMEONE_ELSE"), HttpStatusCode.Unauthorized),
            ("undecryptable", Pay.PaymentCallback(outTradeNo, apiV3Key: new string('k', 32)), HttpStatusCode.BadRequest),
            ("other merchant", Pay.PaymentCallback(outTradeNo, mchId: "1234567890"), HttpStatusCode.BadRequest),
            ("wrong amount", Pay.PaymentCallback(outTradeNo, amount: 1), HttpStatusCode.BadRequest),
        };
        foreach (var (name, callback, expected) in cases)
        {
            var answer = await FakeWeChatPayServer.DeliverAsync(client, callback);
            Assert.True(expected == answer.StatusCode, $"{name}: {answer.StatusCode}");
            var fail = await Json(answer);
            Assert.Equal("FAIL", fail.GetProperty("code").GetString());
        }

        // The body must be exactly what was signed: one byte more and it fails.
        var (h, b) = Pay.PaymentCallback(outTradeNo);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FakeWeChatPayServer.DeliverAsync(client, (h, b + " "))).StatusCode);

        Assert.Equal("pending", (await Json(await resident.GetAsync($"/api/v1/payments/{paymentId}"))).GetProperty("status").GetString());
        await using (var db = App.SystemDb())
        {
            Assert.Equal(0, await db.Bills.CountAsync(x => x.Status != BillStatus.Unpaid));
            var payment = await db.Payments.SingleAsync(x => x.Id == paymentId);
            Assert.True(payment.NeedsReview);
            Assert.Contains("0.01 元", payment.ReviewNote, StringComparison.Ordinal);
            Assert.Equal(0, await db.OutboxMessages.CountAsync(m => m.Topic == PaymentService.CollectedTopic));
        }

        // The genuine callback still works afterwards.
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(client, Pay.PaymentCallback(outTradeNo))).StatusCode);
    }

    [Fact]
    public async Task Twenty_concurrent_duplicate_callbacks_pay_once()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-dup");
        var body = await Json(await PayAsync(resident, bills.Select(b => b.GetProperty("id").GetInt64())));
        var outTradeNo = body.GetProperty("outTradeNo").GetString()!;
        Pay.Pay(outTradeNo);
        var callback = Pay.PaymentCallback(outTradeNo);
        var client = App.CreateClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => FakeWeChatPayServer.DeliverAsync(client, callback)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));

        await using var db = App.SystemDb();
        Assert.Equal(1, await db.Payments.CountAsync(p => p.Status == PaymentStatus.Paid));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Topic == PaymentService.CollectedTopic));
        Assert.Equal(2, await db.Bills.CountAsync(b => b.Status == BillStatus.Paid && b.PaidByPaymentId == body.GetProperty("paymentId").GetInt64()));
    }

    /// <summary>
    /// Several orders' callbacks at once, each delivered several times: the paid writes of different payments race on
    /// the bills and outbox tables, not only on one payment's row. (The outside benchmark found a first version of the
    /// one-trip write failing on MariaDB's AUTO-INC lock under such races; twenty duplicates of one payment never did.)
    /// </summary>
    [Fact]
    public async Task Duplicate_callbacks_of_four_orders_at_once_pay_each_order_once()
    {
        var orders = new List<(string OutTradeNo, long PaymentId)>();
        for (var i = 0; i < 4; i++)
        {
            var (resident, _, bills) = await BilledResidentAsync($"wx-pay-many-{i}", householdIndex: i);
            var body = await Json(await PayAsync(resident, bills.Select(b => b.GetProperty("id").GetInt64())));
            orders.Add((body.GetProperty("outTradeNo").GetString()!, body.GetProperty("paymentId").GetInt64()));
        }

        orders.ForEach(o => Pay.Pay(o.OutTradeNo));
        var client = App.CreateClient();
        var callbacks = orders.SelectMany(o => Enumerable.Repeat(o.OutTradeNo, 8)).Select(o => Pay.PaymentCallback(o)).ToList();
        var answers = await Task.WhenAll(callbacks.Select(c => FakeWeChatPayServer.DeliverAsync(client, c)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));

        await using var db = App.SystemDb();
        var ids = orders.Select(o => o.PaymentId).ToList();
        Assert.Equal(4, await db.Payments.CountAsync(p => ids.Contains(p.Id) && p.Status == PaymentStatus.Paid && p.ReceiptNo != null));
        Assert.Equal(8, await db.Bills.CountAsync(b => b.Status == BillStatus.Paid && b.PaidByPaymentId != null && ids.Contains(b.PaidByPaymentId.Value)));
        var collected = await db.OutboxMessages.Where(m => m.Topic == PaymentService.CollectedTopic).Select(m => m.Key).ToListAsync();
        Assert.Equal(ids.Select(id => $"payment:{id}").Order(), collected.Order());
    }

    [Fact]
    public async Task Two_residents_racing_for_the_same_bills_make_one_order()
    {
        var (first, _, bills) = await BilledResidentAsync("wx-pay-race1");
        var (second, _) = await VerifiedResidentAsync("wx-pay-race2", Org.HouseholdsA1[0]); // same household
        var ids = bills.Select(b => b.GetProperty("id").GetInt64()).ToList();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i => (Resident: i % 2, Response: await PayAsync(i % 2 == 0 ? first : second, ids))));
        // One order: whoever won may be answered that same order again (resuming their open payment); everyone else gets 409.
        var created = answers.Where(a => a.Response.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        Assert.Single(created.Select(a => a.Resident).Distinct());
        Assert.Single((await Task.WhenAll(created.Select(async a => (await Json(a.Response)).GetProperty("paymentId").GetInt64()))).Distinct());
        Assert.All(answers.Where(a => a.Response.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.Response.StatusCode));
        Assert.All(answers.Where(a => a.Resident != created[0].Resident), a => Assert.Equal(HttpStatusCode.Conflict, a.Response.StatusCode));
        await using var db = App.SystemDb();
        var only = await db.Payments.SingleAsync();
        Assert.True(Pay.Orders.ContainsKey(only.OutTradeNo));
        var locks = await db.Bills.Where(b => ids.Contains(b.Id)).Select(b => b.LockedByPaymentId).Distinct().ToListAsync();
        Assert.NotNull(Assert.Single(locks));
    }

    [Fact]
    public async Task Reconciliation_applies_what_WeChat_says_and_closes_expired_orders()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-recon");
        var paid = await Json(await PayAsync(resident, bills.Take(1).Select(b => b.GetProperty("id").GetInt64())));
        var expired = await Json(await PayAsync(resident, bills.Skip(1).Select(b => b.GetProperty("id").GetInt64())));
        Pay.Pay(paid.GetProperty("outTradeNo").GetString()!); // paid, but the callback never arrived
        await using (var db = App.SystemDb())
        {
            var id = expired.GetProperty("paymentId").GetInt64();
            await db.Payments.Where(p => p.Id == id).ExecuteUpdateAsync(u => u.SetProperty(p => p.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }

        Assert.Equal(2, await App.Services.GetRequiredService<PaymentReconciliationJob>().RunOnceAsync(default));
        Assert.Equal("paid", (await Json(await resident.GetAsync($"/api/v1/payments/{paid.GetProperty("paymentId").GetInt64()}"))).GetProperty("status").GetString());
        Assert.Equal("closed", (await Json(await resident.GetAsync($"/api/v1/payments/{expired.GetProperty("paymentId").GetInt64()}"))).GetProperty("status").GetString());
        Assert.Equal("CLOSED", Pay.Orders[expired.GetProperty("outTradeNo").GetString()!].State);

        // The freed bill can be paid again in a new order.
        var unpaid = Assert.Single((await Json(await resident.GetAsync("/api/v1/bills?status=unpaid"))).EnumerateArray());
        Assert.False(unpaid.GetProperty("beingPaid").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await PayAsync(resident, [unpaid.GetProperty("id").GetInt64()])).StatusCode);
    }

    [Fact]
    public async Task Refunds_never_exceed_what_was_paid_and_offline_payments_are_recorded()
    {
        var (resident, _, bills) = await BilledResidentAsync("wx-pay-refund");
        var fee = bills.Single(b => b.GetProperty("feeItem").GetString() == "物业费");
        var parking = bills.Single(b => b.GetProperty("feeItem").GetString() == "车位费");
        var body = await Json(await PayAsync(resident, [fee.GetProperty("id").GetInt64()]));
        var outTradeNo = body.GetProperty("outTradeNo").GetString()!;
        var paymentId = body.GetProperty("paymentId").GetInt64();
        Pay.Pay(outTradeNo);
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.PaymentCallback(outTradeNo))).StatusCode);

        var firm = await App.AdminClientAsync("firmF");
        var billId = fee.GetProperty("id").GetInt64();
        var amount = fee.GetProperty("amountFen").GetInt64();
        var part = await Json(await firm.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId, amountFen = 1000, reason = "面积核减" }));
        Assert.Equal("processing", part.GetProperty("status").GetString());
        var outRefundNo = part.GetProperty("outRefundNo").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await firm.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId, amountFen = amount, reason = "全退" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.RefundCallback(outRefundNo, "SUCCESS"), "/api/v1/payments/wechat/refund-notify")).StatusCode);

        // A replayed Idempotency-Key answers the first refund and refunds nothing more.
        async Task<JsonElement> KeyedRefundAsync(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/payments/{paymentId}/refund") { Content = JsonContent.Create(new { billId, amountFen = 100, reason = "多收" }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await firm.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await Json(response);
        }

        var keyed = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => KeyedRefundAsync("refund-key-1")));
        Assert.Single(keyed.Select(k => k.GetProperty("outRefundNo").GetString()).Distinct());
        Assert.Equal(1100, (await Json(await firm.GetAsync($"/api/v1/admin/payments/{paymentId}"))).GetProperty("refundedFen").GetInt64());
        amount -= 100;

        // Several racing refunds of the rest: exactly the remainder is refunded, never more.
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            firm.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId, amountFen = amount - 1000, reason = "退房" })));
        Assert.Single(racing, r => r.StatusCode == HttpStatusCode.OK);
        var view = await Json(await firm.GetAsync($"/api/v1/admin/payments/{paymentId}"));
        Assert.Equal(("refunded", amount + 100), (view.GetProperty("status").GetString(), view.GetProperty("refundedFen").GetInt64()));
        Assert.Equal(amount + 100, Pay.Refunds.Values.Where(r => r.OutTradeNo == outTradeNo).Sum(r => r.Amount.Refund));
        Assert.Equal("refunded", (await Json(await resident.GetAsync("/api/v1/bills?status=refunded")))[0].GetProperty("status").GetString());

        // Cash at the property office: the bill is paid, with a receipt, once.
        var parkingId = parking.GetProperty("id").GetInt64();
        var cash = await firm.PostAsJsonAsync($"/api/v1/admin/bills/{parkingId}/offline-payment", new { channel = "cash", reference = "现金收据 0012345" });
        Assert.Equal(HttpStatusCode.OK, cash.StatusCode);
        var offline = await Json(cash);
        Assert.Equal("cash", offline.GetProperty("channel").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await firm.PostAsJsonAsync($"/api/v1/admin/bills/{parkingId}/offline-payment", new { channel = "cash", reference = "x" })).StatusCode);
        async Task<HttpResponseMessage> KeyedOfflineAsync(long bill)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/bills/{bill}/offline-payment") { Content = JsonContent.Create(new { channel = "bankTransfer", reference = "流水 991" }) };
            request.Headers.Add("Idempotency-Key", "offline-key-1");
            return await firm.SendAsync(request);
        }

        var otherBill = (await Json(await firm.GetAsync($"/api/v1/admin/bills?estateId={Org.EstateA1}&householdId={Org.HouseholdsA1[1]}"))).GetProperty("items")[0].GetProperty("id").GetInt64();
        var twice = await Task.WhenAll(KeyedOfflineAsync(otherBill), KeyedOfflineAsync(otherBill));
        Assert.All(twice, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single((await Task.WhenAll(twice.Select(async r => (await Json(r)).GetProperty("paymentId").GetInt64()))).Distinct());
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.PostAsJsonAsync($"/api/v1/admin/bills/{parkingId}/offline-payment", new { channel = "alipay", reference = "x" })).StatusCode);
        var receipt = await Json(await firm.GetAsync($"/api/v1/admin/payments/{offline.GetProperty("paymentId").GetInt64()}/receipt"));
        Assert.Equal("现金收据 0012345", receipt.GetProperty("offlineReference").GetString());
        await using var db = App.SystemDb();
        Assert.True(await db.AuditLogs.AnyAsync(a => a.Action == "payment.offline"));
        Assert.Equal(3, await db.OutboxMessages.CountAsync(m => m.Topic == PaymentService.CollectedTopic));
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId, amountFen = 1, reason = "x" })).StatusCode);
    }
}
