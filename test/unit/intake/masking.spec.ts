import { maskBankAccount, maskIdNumber, maskInvoiceNumber, maskName, maskPhone } from '../../../src/core/masking.js';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    [' 13812345678 ', '138****5678'],
    ['19900001111', '199****1111'],
    ['1381234', '****'],
    ['', '****'],
  ])('%j -> %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['41010519900307123X', '4101**********123X'],
    ['110101199003074514', '1101**********4514'],
    ['410105900307123', '4101*******7123'],
    ['12345678', '********'],
    ['', ''],
  ])('%j -> %s', (input, expected) => {
    expect(maskIdNumber(input)).toBe(expected);
  });
});

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['王小二三', '王***'],
    ['欧阳娜娜', '欧阳**'],
    ['欧阳修', '欧阳*'],
    ['司马光', '司马*'],
    ['上官婉儿', '上官**'],
    ['诸葛亮', '诸葛*'],
    ['东方不败', '东方**'],
    ['皇甫嵩', '皇甫*'],
    ['尉迟恭', '尉迟*'],
    ['公孙胜', '公孙*'],
    ['慕容复', '慕容*'],
    ['长孙无忌', '长孙**'],
    ['宇文泰', '宇文*'],
    ['司徒雷登', '司徒**'],
    ['令狐冲', '令狐*'],
    ['夏侯惇', '夏侯*'],
    ['轩辕敬', '轩辕*'],
    ['端木蓉', '端木*'],
    ['西门庆', '西门*'],
    ['南宫适', '南宫*'],
    ['独孤求败', '独孤**'],
    ['欧阳', '欧*'], // two characters: single surname 欧 + given name 阳
    ['李', '*'],
    ['', ''],
    ['  李四 ', '李*'],
    ['买买提·艾力', '买*****'],
    ['𠀾小明', '𠀾**'], // a character outside the BMP counts once
    ['John Smith', 'J*********'],
  ])('%j -> %s', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });
});

describe('maskBankAccount', () => {
  it.each([
    ['6222021234567890123', '6222 **** **** 0123'],
    ['6222 0212 3456 7890 123', '6222 **** **** 0123'],
    ['6228480402564890018', '6228 **** **** 0018'],
    ['622202123', '6222 **** **** 2123'],
    ['62220212', '****'],
    ['', '****'],
  ])('%j -> %s', (input, expected) => {
    expect(maskBankAccount(input)).toBe(expected);
  });
});

describe('maskInvoiceNumber', () => {
  it.each([
    ['80100798', '****0798'],
    ['23442000000014209621', '****9621'],
    ['1234', '****'],
    ['', '****'],
  ])('%j -> %s', (input, expected) => {
    expect(maskInvoiceNumber(input)).toBe(expected);
  });
});
