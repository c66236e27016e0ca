using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NeighbourHub.IntegrationTests;

/// <summary>Open311 GeoReport v2: public-area requests only, no personal data, keys per estate.</summary>
public sealed class Open311Tests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task The_feed_shows_public_area_requests_without_personal_data_and_filters_them()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-311", Org.HouseholdsA1[0]);
        var lighting = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "公共照明");
        var lift = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "电梯");
        var water = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "水电");
        var publicId = (await Json(await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = lighting, description = "北门路灯不亮，联系我13812345678", location = "北门" }))).GetProperty("id").GetInt64();
        var liftId = (await Json(await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, categoryId = lift, description = "电梯异响", location = "1栋" }))).GetProperty("id").GetInt64();
        var privateId = (await Json(await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = Org.EstateA1, householdId = Org.HouseholdsA1[0], categoryId = water, description = "家里漏水", location = "1栋1单元101" }))).GetProperty("id").GetInt64();
        var adminA = await App.AdminClientAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{liftId}/grab", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsync($"/api/v1/admin/repairs/{liftId}/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PostAsJsonAsync($"/api/v1/admin/repairs/{liftId}/resolve", new { note = "联系了王先生13900001111，已修" })).StatusCode);

        var anonymous = App.CreateClient();
        var services = await Json(await anonymous.GetAsync("/open311/v2/services.json"));
        Assert.All(services.EnumerateArray(), s => Assert.Contains(s.GetProperty("service_name").GetString(), new[] { "公共照明", "电梯", "环境卫生" }));
        Assert.Equal(9, services.GetArrayLength()); // three public categories in each of the three estates

        var all = await anonymous.GetAsync("/open311/v2/requests.json");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        var raw = await all.Content.ReadAsStringAsync();
        var requests = JsonDocument.Parse(raw).RootElement;
        Assert.Equal(new[] { publicId, liftId }.Select(i => i.ToString()).Order(), requests.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()).Order());
        Assert.DoesNotContain(privateId.ToString() + "\"", raw, StringComparison.Ordinal);
        foreach (var secret in new[] { "13812345678", "13900001111", "王先生", "101", "张三", "household", "reporter", "phone" })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
        }

        var one = Assert.Single((await Json(await anonymous.GetAsync($"/open311/v2/requests/{publicId}.json"))).EnumerateArray());
        Assert.Equal("open", one.GetProperty("status").GetString());
        Assert.Equal(lighting.ToString(), one.GetProperty("service_code").GetString());
        Assert.Equal("测试物业", one.GetProperty("agency_responsible").GetString());
        Assert.StartsWith("北门路灯不亮", one.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("+08:00", one.GetProperty("requested_datetime").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/open311/v2/requests/{privateId}.json")).StatusCode);

        // Filters: status, service_code, dates; bad values answer GeoReport errors.
        var closed = await Json(await anonymous.GetAsync("/open311/v2/requests.json?status=closed"));
        Assert.Equal(liftId.ToString(), Assert.Single(closed.EnumerateArray()).GetProperty("service_request_id").GetString());
        var byCode = await Json(await anonymous.GetAsync($"/open311/v2/requests.json?service_code={lighting}"));
        Assert.Equal(publicId.ToString(), Assert.Single(byCode.EnumerateArray()).GetProperty("service_request_id").GetString());
        Assert.Equal(0, (await Json(await anonymous.GetAsync("/open311/v2/requests.json?end_date=2020-01-01T00:00:00%2B08:00&start_date=2019-12-01T00:00:00%2B08:00"))).GetArrayLength());
        var bad = await anonymous.GetAsync("/open311/v2/requests.json?status=done");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(400, (await Json(bad))[0].GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/open311/v2/requests.json?start_date=yesterday")).StatusCode);
    }

    [Fact]
    public async Task Posting_needs_a_live_key_of_that_estate_and_lands_on_the_board()
    {
        var adminA = await App.AdminClientAsync("adminA");
        var issued = await Json(await adminA.PostAsJsonAsync("/api/v1/admin/open311/keys", new { estateId = Org.EstateA1, label = "区12345平台" }));
        var key = issued.GetProperty("apiKey").GetString()!;
        var (resident, _) = await VerifiedResidentAsync("wx-311-post", Org.HouseholdsA1[0]);
        var lighting = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "公共照明");
        var water = await RepairPhotoTests.CategoryAsync(resident, Org.EstateA1, "水电");
        var liftB1 = (await Json(await App.CreateClient().GetAsync("/open311/v2/services.json"))).EnumerateArray()
            .First(s => s.GetProperty("group").GetString() == "乙一小区").GetProperty("service_code").GetString()!;

        var anonymous = App.CreateClient();
        Task<HttpResponseMessage> Post(Dictionary<string, string> form) => anonymous.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(form));
        Dictionary<string, string> Form(string apiKey, string code) => new()
        {
            ["api_key"] = apiKey,
            ["service_code"] = code,
            ["description"] = "西门路灯闪烁",
            ["address_string"] = "西门",
            ["lat"] = "24.3264",
            ["long"] = "109.4281",
            ["first_name"] = "热线",
            ["phone"] = "12345",
        };

        Assert.Equal(HttpStatusCode.Forbidden, (await Post(Form("nh311_wrong", lighting.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(Form(key, water.ToString()))).StatusCode); // not a public service
        Assert.Equal(HttpStatusCode.NotFound, (await Post(Form(key, liftB1))).StatusCode); // another estate's service
        var noLocation = Form(key, lighting.ToString());
        noLocation.Remove("address_string");
        noLocation.Remove("lat");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(noLocation)).StatusCode);

        var created = await Post(Form(key, lighting.ToString()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var requestId = (await Json(created))[0].GetProperty("service_request_id").GetString();
        var board = await Json(await adminA.GetAsync($"/api/v1/admin/repairs?estateId={Org.EstateA1}"));
        var item = Assert.Single(board.GetProperty("items").EnumerateArray());
        Assert.Equal(requestId, item.GetProperty("id").GetInt64().ToString());
        var shown = Assert.Single((await Json(await anonymous.GetAsync($"/open311/v2/requests/{requestId}.json"))).EnumerateArray());
        Assert.Equal(24.3264, shown.GetProperty("lat").GetDouble());

        // A revoked key stops working at once.
        Assert.Equal(HttpStatusCode.NoContent, (await adminA.DeleteAsync($"/api/v1/admin/open311/keys/{issued.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(Form(key, lighting.ToString()))).StatusCode);
        var adminB = await App.AdminClientAsync("adminB");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync("/api/v1/admin/open311/keys", new { estateId = Org.EstateA1, label = "x" })).StatusCode);
    }
}
