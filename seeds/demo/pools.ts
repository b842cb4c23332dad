/**
 * Word pools for the demo data: Henan's prefecture-level cities and some of their counties (GB/T 2260
 * codes), Chinese surnames with rough frequencies, given names, mobile prefixes, kinds of shops with a
 * typical receipt size. Everything generated from these is fictitious.
 */

export interface City {
  /** 4-digit region code, e.g. '4101'. */
  code: string;
  name: string;
  /** Some 6-digit county/district codes of the city (resident ID regions and seller registrations). */
  counties: readonly string[];
  /** Relative weight of consumption (roughly population, Zhengzhou weighted up as the provincial capital). */
  weight: number;
}

export const HENAN_CITIES: readonly City[] = [
  { code: '4101', name: '郑州市', counties: ['410102', '410103', '410104', '410105', '410108', '410122', '410181', '410183', '410184'], weight: 22 },
  { code: '4102', name: '开封市', counties: ['410202', '410203', '410221', '410225'], weight: 4.8 },
  { code: '4103', name: '洛阳市', counties: ['410302', '410303', '410305', '410311', '410323'], weight: 8 },
  { code: '4104', name: '平顶山市', counties: ['410402', '410403', '410482'], weight: 5 },
  { code: '4105', name: '安阳市', counties: ['410502', '410503', '410581'], weight: 5.5 },
  { code: '4106', name: '鹤壁市', counties: ['410602', '410611'], weight: 1.6 },
  { code: '4107', name: '新乡市', counties: ['410702', '410703', '410781'], weight: 6.3 },
  { code: '4108', name: '焦作市', counties: ['410802', '410811', '410882'], weight: 3.5 },
  { code: '4109', name: '濮阳市', counties: ['410902', '410922'], weight: 3.8 },
  { code: '4110', name: '许昌市', counties: ['411002', '411081'], weight: 4.4 },
  { code: '4111', name: '漯河市', counties: ['411102', '411103'], weight: 2.4 },
  { code: '4112', name: '三门峡市', counties: ['411202', '411282'], weight: 2 },
  { code: '4113', name: '南阳市', counties: ['411302', '411303', '411381'], weight: 9.7 },
  { code: '4114', name: '商丘市', counties: ['411402', '411403', '411481'], weight: 7.8 },
  { code: '4115', name: '信阳市', counties: ['411502', '411503', '411524'], weight: 6.2 },
  { code: '4116', name: '周口市', counties: ['411602', '411625', '411681'], weight: 9 },
  { code: '4117', name: '驻马店市', counties: ['411702', '411721', '411724'], weight: 7 },
];

/** Resident ID regions of people born outside Henan who live there (Beijing, Hebei, Jiangsu, Anhui, …). */
export const OTHER_ID_REGIONS: readonly string[] = ['110105', '130102', '140105', '320102', '340104', '370102', '420106', '610113'];

/** Surnames with rough relative frequencies (Henan: 王, 李, 张, 刘 lead). */
export const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 80], ['李', 75], ['张', 72], ['刘', 55], ['陈', 35], ['杨', 30], ['赵', 24], ['黄', 14], ['周', 20], ['吴', 15],
  ['徐', 16], ['孙', 16], ['胡', 13], ['朱', 14], ['高', 16], ['林', 6], ['何', 10], ['郭', 18], ['马', 16], ['罗', 7],
  ['梁', 9], ['宋', 12], ['郑', 10], ['谢', 6], ['韩', 10], ['唐', 6], ['冯', 9], ['于', 7], ['董', 8], ['肖', 5],
  ['程', 8], ['曹', 8], ['袁', 6], ['邓', 5], ['许', 9], ['傅', 3], ['沈', 4], ['曾', 3], ['彭', 4], ['吕', 6],
  ['苏', 5], ['卢', 5], ['蒋', 4], ['蔡', 4], ['贾', 6], ['丁', 5], ['魏', 7], ['薛', 5], ['叶', 3], ['闫', 6],
  ['余', 3], ['潘', 3], ['杜', 5], ['戴', 3], ['夏', 4], ['钟', 2], ['汪', 3], ['田', 5], ['任', 5], ['姜', 4],
  ['范', 5], ['方', 3], ['石', 4], ['姚', 4], ['谭', 2], ['廖', 2], ['邹', 2], ['熊', 2], ['金', 3], ['陆', 2],
  ['郝', 4], ['孔', 3], ['白', 4], ['崔', 4], ['康', 3], ['毛', 3], ['邱', 2], ['秦', 3], ['江', 2], ['史', 4],
  ['顾', 2], ['侯', 4], ['邵', 2], ['孟', 4], ['龙', 1], ['万', 2], ['段', 3], ['雷', 3], ['钱', 2], ['汤', 2],
  ['尹', 2], ['黎', 1], ['易', 1], ['常', 4], ['武', 4], ['乔', 3], ['贺', 2], ['赖', 1], ['龚', 1], ['文', 2],
  ['申', 3], ['牛', 4], ['岳', 2], ['楚', 1], ['耿', 2], ['翟', 2], ['靳', 2], ['樊', 2], ['焦', 2], ['庞', 2],
];

/**
 * Compound (复姓) surnames, all in COMPOUND_SURNAMES of src/core/masking.ts. Over-represented (about 1 % of
 * consumers instead of well under 0.1 %) so the masking and name matching of such names show in the demo.
 */
export const COMPOUND_SURNAMES_DEMO: ReadonlyArray<readonly [string, number]> = [
  ['欧阳', 3], ['司马', 3], ['诸葛', 1.5], ['上官', 1.5], ['司徒', 1], ['皇甫', 1], ['东方', 1], ['令狐', 0.7],
  ['夏侯', 0.7], ['公孙', 0.5], ['慕容', 0.5], ['尉迟', 0.3], ['端木', 0.3],
];
export const COMPOUND_SURNAME_SHARE = 0.01;

/** Given names by generation and sex: older (born before 1980) and younger people name differently. */
export const GIVEN_NAMES = {
  male: {
    older: ['建国', '建华', '国强', '志强', '志明', '卫东', '红军', '建军', '永刚', '新民', '振华', '国庆', '德明', '保国', '学军', '长江', '富贵', '金山', '文革', '建设'],
    younger: ['浩然', '子轩', '宇航', '明轩', '文博', '俊杰', '晓东', '海涛', '梓豪', '一鸣', '天佑', '博文', '家豪', '思远', '嘉懿', '皓轩', '鹏飞', '晨阳', '志远', '子墨'],
    single: ['伟', '强', '磊', '军', '勇', '杰', '涛', '明', '超', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '斌', '宇', '浩', '凯', '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '峰'],
  },
  female: {
    older: ['秀英', '秀兰', '桂英', '玉兰', '淑珍', '桂兰', '凤英', '秀珍', '玉梅', '红梅', '春燕', '丽娟', '海燕', '晓燕', '玉珍', '素芬', '翠花', '美玲', '爱华', '秀云'],
    younger: ['欣怡', '梓涵', '诗涵', '雨欣', '佳怡', '子涵', '欣然', '思雨', '一诺', '雨涵', '可馨', '梦瑶', '紫萱', '若曦', '婉清', '晓彤', '佳琪', '语嫣', '心怡', '静怡'],
    single: ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '婷', '雪', '慧', '莹', '倩', '颖', '琳', '晶', '洁', '燕', '玲', '萍', '红', '琴', '蕾', '薇', '悦', '璐', '瑶', '楠', '欢', '梅'],
  },
} as const;

/** Names written with a middle dot (Uyghur naming), for a handful of consumers born in Xinjiang. */
export const DOTTED_NAMES: ReadonlyArray<readonly [string, 'male' | 'female']> = [
  ['买买提·艾力', 'male'], ['艾尔肯·吐尔逊', 'male'], ['阿不都·热合曼', 'male'], ['阿依古丽·买买提', 'female'],
  ['古丽娜尔·艾买提', 'female'], ['热依汗古丽·阿不都', 'female'],
];
export const DOTTED_NAME_REGION = '650102';
export const DOTTED_NAME_SHARE = 0.002;

/** Mainland mobile prefixes (China Mobile, Unicom, Telecom); all match 1[3-9]. */
export const MOBILE_PREFIXES: readonly string[] = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159',
  '166', '173', '175', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199',
];

export interface ShopKind {
  suffix: string;
  /** Median receipt in yuan and σ of its log-normal spread. */
  medianYuan: number;
  sigma: number;
  /** VAT rate of a general taxpayer of this kind (small-scale taxpayers invoice at 1 % or 3 %). */
  vatRate: number;
  /** Relative number of invoices issued by shops of this kind. */
  weight: number;
}

export const SHOP_KINDS: readonly ShopKind[] = [
  { suffix: '超市', medianYuan: 95, sigma: 0.85, vatRate: 0.13, weight: 20 },
  { suffix: '便利店', medianYuan: 36, sigma: 0.5, vatRate: 0.13, weight: 6 },
  { suffix: '餐饮有限公司', medianYuan: 168, sigma: 0.8, vatRate: 0.06, weight: 16 },
  { suffix: '烩面馆', medianYuan: 52, sigma: 0.45, vatRate: 0.06, weight: 6 },
  { suffix: '大药房', medianYuan: 98, sigma: 0.8, vatRate: 0.13, weight: 8 },
  { suffix: '加油站', medianYuan: 285, sigma: 0.45, vatRate: 0.13, weight: 9 },
  { suffix: '家电商场', medianYuan: 2600, sigma: 0.9, vatRate: 0.13, weight: 4 },
  { suffix: '服饰商行', medianYuan: 360, sigma: 0.7, vatRate: 0.13, weight: 9 },
  { suffix: '大酒店', medianYuan: 420, sigma: 0.6, vatRate: 0.06, weight: 5 },
  { suffix: '书店', medianYuan: 78, sigma: 0.6, vatRate: 0.09, weight: 3 },
  { suffix: '家具城', medianYuan: 4200, sigma: 0.9, vatRate: 0.13, weight: 2 },
  { suffix: '通讯器材店', medianYuan: 2300, sigma: 0.7, vatRate: 0.13, weight: 3 },
  { suffix: '汽车维修服务中心', medianYuan: 680, sigma: 0.8, vatRate: 0.13, weight: 3 },
  { suffix: '百货商店', medianYuan: 210, sigma: 0.9, vatRate: 0.13, weight: 6 },
];

/** Words for fictitious shop and company names. */
export const TRADE_WORDS: readonly string[] = [
  '鑫源', '惠民', '百姓', '金鼎', '大众', '便民', '同仁', '福满多', '老街', '豫香', '中原', '康乐', '天润', '恒达',
  '兴隆', '永盛', '宏达', '嘉禾', '润丰', '和顺', '瑞祥', '鼎盛', '合众', '金源', '万家', '聚福', '佳和', '新天地',
];
export const ORGANIZATION_KINDS: readonly string[] = ['商贸有限公司', '建筑工程有限公司', '科技有限公司', '物流有限公司', '餐饮管理有限公司', '实业有限公司'];
export const TAX_ID_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
