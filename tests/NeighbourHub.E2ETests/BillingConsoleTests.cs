using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace NeighbourHub.E2ETests;

/// <summary>Fees in the console: add a fee item (and be refused a duplicate), run the bills with progress, take cash at the counter, print the receipt, refund a WeChat payment.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BillingConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Staff_bill_an_estate_take_cash_print_a_receipt_and_refund_a_sandbox_payment()
    {
        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync("/admin/billing");
        await page.GetByLabel("名称").FillAsync("电梯运行费");
        await page.GetByLabel("单价（元）").FillAsync("1.20");
        await page.GetByLabel("生效日期 yyyy-MM-dd").FillAsync("2027-01-01");
        await page.GetByText("添加", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("已添加收费项目。")).ToBeVisibleAsync();
        // The console adds through the API's service and checks: the same name again in this estate is refused.
        await page.GetByLabel("名称").FillAsync("电梯运行费");
        await page.GetByText("添加", new PageGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("本小区已有同名的收费项目。")).ToBeVisibleAsync();

        await page.GetByLabel("账期 yyyy-MM").FillAsync("2027-01");
        await page.GetByText("开账", new PageGetByTextOptions { Exact = true }).Last.ClickAsync();
        await Assertions.Expect(page.GetByText("开账完成：新账单 4 张")).ToBeVisibleAsync();

        using var admin = await fixture.AdminApiAsync("adminA");
        var bills = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/bills?estateId={fixture.Org.EstateA1}&period=2027-01")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, bills.Count);
        // 1.20 元/㎡ × 81.5 ㎡ = 97.80 元 for the first TestOrg household.
        Assert.Contains(bills, b => b.GetProperty("amountFen").GetInt64() == 9780);

        // Cash at the counter for the first household's bill.
        await page.GotoAsync("/admin/billing/bills");
        await page.GetByText("只看欠费（已过缴费日未缴）").ClickAsync();
        var cashBill = bills.First(b => b.GetProperty("householdId").GetInt64() == fixture.Org.HouseholdsA1[0]).GetProperty("id").GetInt64();
        var row = page.Locator($"[data-testid=bill-{cashBill}]");
        await row.GetByPlaceholder("收据号/流水号").FillAsync("现金 000778");
        await row.GetByText("登记收款").ClickAsync();
        await Assertions.Expect(page.GetByText("已登记收款，收据号 NH-")).ToBeVisibleAsync();
        var paid = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/bills?estateId={fixture.Org.EstateA1}&period=2027-01&status=paid")).GetProperty("items")[0];
        await page.GotoAsync($"/admin/receipts/{paid.GetProperty("paymentId").GetInt64()}");
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("97.80");
        await Assertions.Expect(page.GetByTestId("receipt")).ToContainTextAsync("现金 000778");

        // A resident pays another bill through the WeChat Pay sandbox; staff refund part of it in the console.
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-payer" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residence = (await (await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[2], relation = "owner", realName = "缴费人" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        var mine = (await resident.GetFromJsonAsync<JsonElement>("/api/v1/bills?status=unpaid")).EnumerateArray().Single(b => b.GetProperty("period").GetString() == "2027-01");
        var pay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds = new[] { mine.GetProperty("id").GetInt64() } }) };
        pay.Headers.Add("Idempotency-Key", "e2e-pay-1");
        var paymentId = (await (await resident.SendAsync(pay)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentId").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await resident.PostAsync($"/api/v1/payments/{paymentId}/sandbox-pay", null)).StatusCode);

        await page.GotoAsync("/admin/billing/payments");
        var paymentRow = page.Locator($"[data-testid=payment-{paymentId}]");
        await paymentRow.GetByLabel("退款（元）").FillAsync("1.00");
        await paymentRow.GetByLabel("原因").FillAsync("面积核减");
        await paymentRow.GetByText("退款", new LocatorGetByTextOptions { Exact = true }).Last.ClickAsync();
        await Assertions.Expect(page.GetByText("已退款 1.00 元。")).ToBeVisibleAsync();
        var refunded = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payments/{paymentId}");
        Assert.Equal(100, refunded.GetProperty("refundedFen").GetInt64());
    }
}
