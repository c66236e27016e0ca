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
        await Assertions.Expect(page.GetByText("已添加收费项目：电梯运行费。")).ToBeVisibleAsync();
        // The form is fresh for the next item: no 单价 silently carried over.
        await Assertions.Expect(page.GetByLabel("单价（元）")).ToHaveValueAsync("0.00");
        await Assertions.Expect(page.GetByLabel("名称")).ToHaveValueAsync("");
        // The console adds through the API's service and checks: the same name again in this estate is refused.
        await page.GetByLabel("名称").FillAsync("电梯运行费");
        await page.GetByLabel("单价（元）").FillAsync("1.20");
        await page.GetByLabel("生效日期 yyyy-MM-dd").FillAsync("2027-01-01");
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

        // Cash at the counter for the first household's bill: 未缴 (these are not due yet), the row's 收款 opens the counter.
        await page.GotoAsync("/admin/billing/bills?status=unpaid");
        var cashBill = bills.First(b => b.GetProperty("householdId").GetInt64() == fixture.Org.HouseholdsA1[0]).GetProperty("id").GetInt64();
        var row = page.Locator($"tr.bill-{cashBill}");
        await row.GetByText("收款", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("counter-total")).ToContainTextAsync("合计 97.80 元（玖拾柒元捌角整）");
        await page.GetByLabel("收据号/流水号").FillAsync("现金 000778");
        await page.GetByText("确认收款").ClickAsync();
        await Assertions.Expect(page.GetByText("已收款 97.80 元，收据号 NH-").First).ToBeVisibleAsync();
        var paid = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/bills?estateId={fixture.Org.EstateA1}&period=2027-01&status=paid")).GetProperty("items")[0];
        await page.GotoAsync($"/admin/receipts/{paid.GetProperty("paymentId").GetInt64()}");
        var receipt = page.GetByTestId("receipt");
        await Assertions.Expect(receipt).ToContainTextAsync("97.80");
        await Assertions.Expect(receipt).ToContainTextAsync("现金 000778");
        await Assertions.Expect(receipt).ToContainTextAsync("玖拾柒元捌角整");
        await Assertions.Expect(receipt).ToContainTextAsync("测试物业");
        // The payer is the flat, never the staff account that typed it in (that one signs as 收款人).
        await Assertions.Expect(page.GetByTestId("receipt-payer")).ToContainTextAsync("1栋");
        await Assertions.Expect(page.GetByTestId("receipt-payer")).Not.ToContainTextAsync("adminA");
        await Assertions.Expect(receipt).Not.ToContainTextAsync("经办");
        await Assertions.Expect(receipt).ToContainTextAsync("收款人：adminA");

        // Printed, the page is the receipt alone: no app bar, no menu, no 打印 button.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Assertions.Expect(receipt).ToBeVisibleAsync();
        await Assertions.Expect(receipt).ToContainTextAsync("金额大写：玖拾柒元捌角整");
        await Assertions.Expect(page.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".mud-drawer")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "打印" })).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByText("收费与开账")).ToBeHiddenAsync();
        await fixture.ScreenshotAsync(page, "receipt-print");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "打印" })).ToBeVisibleAsync();

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
        var paymentRow = page.Locator($"tr.payment-{paymentId}");
        await Assertions.Expect(paymentRow).ToBeVisibleAsync();
        // No refund form in the rows: one dialog, opened from the row.
        Assert.Equal(0, await page.GetByLabel("退款（元）").CountAsync());
        Assert.Equal(0, await page.GetByLabel("原因").CountAsync());
        await fixture.ScreenshotAsync(page, "payments");
        await paymentRow.GetByText("退款", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await page.GetByLabel("退款（元）").FillAsync("1.00");
        await page.GetByLabel("原因").FillAsync("面积核减");
        await page.GetByText("确认退款").ClickAsync();
        await Assertions.Expect(page.GetByText("已退款 1.00 元。")).ToBeVisibleAsync();
        // Opened again, the form offers what is left now (1.20 元 × 83.5 ㎡ = 100.20 元, less 1.00), not what it showed before.
        await paymentRow.GetByText("退款", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("退款（元）")).ToHaveValueAsync("99.20");
        var refunded = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payments/{paymentId}");
        Assert.Equal(100, refunded.GetProperty("refundedFen").GetInt64());
    }
}
