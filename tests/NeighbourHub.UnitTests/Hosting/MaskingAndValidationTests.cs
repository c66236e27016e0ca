using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

public sealed class MaskingAndValidationTests
{
    [Theory]
    [InlineData("13812341234", "138****1234")]
    [InlineData("8613812341234", "861****1234")]
    [InlineData("12345", "*****")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Phones_are_masked(string? phone, string? masked) => Assert.Equal(masked, PhoneMasking.Mask(phone));

    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("欧阳娜娜", "欧***")]
    [InlineData("李", "李*")]
    [InlineData("", "")]
    public void Names_are_masked(string name, string masked) => Assert.Equal(masked, NameMasking.Mask(name));

    [Fact]
    public void Validation_collects_errors_per_field()
    {
        var v = new Validation()
            .Required("realName", "  ")
            .Required("code", new string('x', 300), 128)
            .Positive("householdId", -1)
            .Required<int>("relation", null)
            .MaxLength("keyword", "ok", 5);
        Assert.False(v.IsValid);
        Assert.Equal(["realName", "code", "householdId", "relation"], v.Errors.Keys.ToArray());
    }

    [Theory]
    [InlineData("pending", ResidenceStatus.Pending)]
    [InlineData("Approved", ResidenceStatus.Approved)]
    [InlineData(null, null)]
    public void Enum_query_values_parse(string? text, ResidenceStatus? expected)
    {
        var v = new Validation();
        Assert.Equal(expected, EnumQuery.Parse<ResidenceStatus>("status", text, v));
        Assert.True(v.IsValid);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("1")]
    [InlineData("pending,approved")]
    public void Unknown_enum_query_values_are_field_errors(string text)
    {
        var v = new Validation();
        Assert.Null(EnumQuery.Parse<ResidenceStatus>("status", text, v));
        Assert.Contains("pending", v.Errors["status"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Paging_rejects_out_of_range_values()
    {
        var v = new Validation();
        var (page, size) = Paging.Normalize(null, null, v);
        Assert.Equal((1, Paging.DefaultPageSize), (page, size));
        Assert.True(v.IsValid);
        Paging.Normalize(0, 101, v);
        Assert.Equal(["page", "pageSize"], v.Errors.Keys.ToArray());
    }
}
