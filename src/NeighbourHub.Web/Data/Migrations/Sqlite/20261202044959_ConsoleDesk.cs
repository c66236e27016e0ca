using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConsoleDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PhoneTail",
                table: "Residents",
                type: "TEXT",
                maxLength: 4,
                nullable: true);

            // Numbers bound before the column existed get their tail too: staff search by it (Resident.PhoneTail).
            migrationBuilder.Sql(@"UPDATE ""Residents"" SET ""PhoneTail"" = substr(""PhoneNumber"", -4) WHERE length(""PhoneNumber"") >= 4;");

            