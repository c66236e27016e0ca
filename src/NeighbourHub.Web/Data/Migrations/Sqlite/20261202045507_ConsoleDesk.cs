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
            migrationBuilder.AddColumn<long>(
                name: "OriginalAmountFen",
                table: "Bills",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StaffNote",
                table: "Bills",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "VoidedAt",
                table: "Bills",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Bills_EstateId_Status_DueDate_AmountFen",
                table: "Bills",
                columns: new[] { "EstateId", "Status", "DueDate", "AmountFen" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Bills_EstateId_Status_DueDate_AmountFen",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "OriginalAmountFen",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "StaffNote",
                table: "Bills");

            migrationBuilder.DropColumn(
                name: "VoidedAt",
                table: "Bills");
        }
    }
}
